import Dispatch
import Foundation

/// `body(0..<count)` run on all cores, results in index order: files, ledgers, snapshot columns
/// and scan halves all fan out this way.
public func concurrentMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = Slots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { slots.set($0, body($0)) }
    return slots.values.map { value in
        guard let value else { preconditionFailure("concurrentPerform runs every iteration") }
        return value
    }
}

/// One slot per iteration, written under a lock.
private final class Slots<T>: @unchecked Sendable {
    private(set) var values: [T?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}
