import BudgetCore
import Foundation

/// The lowest and highest value of each block of rows of an integer or dictionary-code column
/// (a zone map, as DuckDB keeps per row group): a scan skips a block no row of which can pass
/// and keeps a block every row of which passes without testing them. Rows of a portfolio come
/// in file order, so `year`, `month`, `date` and `source` lie in long runs and most blocks are
/// decided whole.
///
/// Integer columns: over the non-null rows only (a block of nulls is empty: `low > high`), so a
/// range says nothing about nulls, which every comparison drops anyway. Dictionary codes: over
/// every row, the null code (-1) included.
public struct BlockRanges: Sendable {
    /// Rows per block (DuckDB's vector size): small enough that the runs' edges cost little.
    public static let blockSize = 2048

    /// Per block: the lowest value, and the highest (`low[b] > high[b]`: no value in the block).
    public let low: [Int64]
    public let high: [Int64]
    /// Over the whole column (`lowest > highest`: no value at all).
    public let lowest: Int64
    public let highest: Int64

    /// Block `b` covers rows `b * blockSize ..< min((b + 1) * blockSize, count)`.
    public var blockCount: Int { low.count }

    init(low: [Int64], high: [Int64]) {
        self.low = low
        self.high = high
        lowest = low.min() ?? .max
        highest = high.max() ?? .min
    }

    /// The ranges of `data`; nil for reals, texts and lists, and when Ctrl-C stopped the pass
    /// (`stopped` then says so, and nothing is kept).
    static func of(_ data: ColumnData, stopped: inout Bool) -> BlockRanges? {
        switch data {
        case .integers(let values, let nulls):
            return values.withUnsafeBufferPointer { buffer in compute(count: buffer.count, stopped: &stopped) { [v = SharedBuffer(buffer)] start, end in
                var low = Int64.max, high = Int64.min
                if nulls.hasNulls {
                    for i in start..<end where !nulls.isNull(i) {
                        low = min(low, v[i])
                        high = max(high, v[i])
                    }
                } else {
                    for i in start..<end {
                        low = min(low, v[i])
                        high = max(high, v[i])
                    }
                }
                return (low, high)
            } }
        case .strings(let codes, _):
            return codes.withUnsafeBufferPointer { buffer in compute(count: buffer.count, stopped: &stopped) { [c = SharedBuffer(buffer)] start, end in
                var low = Int32.max, high = Int32.min
                for i in start..<end {
                    low = min(low, c[i])
                    high = max(high, c[i])
                }
                return (Int64(low), Int64(high))
            } }
        default:
            return nil
        }
    }

    /// One `block(start, end)` per block; a column of a million rows or more on both cores.
    /// Ctrl-C (`Interrupt`) is looked at every 32 blocks (64K rows); a pass it stopped is nil.
    private static func compute(count: Int, stopped: inout Bool, _ block: @Sendable (Int, Int) -> (Int64, Int64)) -> BlockRanges? {
        let blocks = (count + blockSize - 1) / blockSize
        let parts = count >= 1 << 20 ? 2 : 1
        let halves = concurrentMap(parts) { part -> [(Int64, Int64)] in
            var out: [(Int64, Int64)] = []
            for b in blocks * part / parts ..< blocks * (part + 1) / parts {
                if b & 31 == 0, Interrupt.isRequestedByProcess { break }
                out.append(block(b * blockSize, min(count, (b + 1) * blockSize)))
            }
            return out
        }
        let all = halves.flatMap { $0 }
        if all.count < blocks || Interrupt.isRequested {
            stopped = true
            return nil
        }
        return BlockRanges(low: all.map(\.0), high: all.map(\.1))
    }
}

/// A buffer read by both halves of a computation that waits for them (`concurrentMap`).
private struct SharedBuffer<Element>: @unchecked Sendable {
    let base: UnsafeBufferPointer<Element>
    init(_ base: UnsafeBufferPointer<Element>) { self.base = base }
    @inline(__always) subscript(i: Int) -> Element { base[i] }
}

/// What a column remembers about its values once asked (its block ranges), shared by the
/// copies of one column (`renamed`) and computed once, from any thread.
final class ColumnSummaries: @unchecked Sendable {
    private let lock = NSLock()
    private var ranges: BlockRanges??

    /// `compute`'s ranges, kept unless it was stopped (the next scan computes them again).
    func blockRanges(_ compute: (inout Bool) -> BlockRanges?) -> BlockRanges? {
        lock.lock()
        defer { lock.unlock() }
        if let ranges { return ranges }
        var stopped = false
        let computed = compute(&stopped)
        if !stopped { ranges = .some(computed) }
        return computed
    }
}

extension Column {
    /// Per block of `BlockRanges.blockSize` rows, the lowest and highest value (integer and
    /// dictionary columns; nil for others). Computed on first use, one pass over the column, and
    /// kept: the store's columns pay it once for every later query.
    public var blockRanges: BlockRanges? {
        summaries.blockRanges { stopped in BlockRanges.of(data, stopped: &stopped) }
    }
}
