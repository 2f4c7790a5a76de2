import BudgetCore
import BudgetStore

/// The rows flowing between operators: columns, each read directly or through a selection vector.
///
/// A column is either dense (one value per current row) or base-aligned: read through one of the
/// frame's selections (nil: the base rows themselves). A plain table has one selection; a join
/// has one per side, so its output is two vectors of row numbers and no column is copied until
/// an operator reads it (`join … | count` reads none). `where`, `sort`, `take` and `top` only
/// narrow or reorder the selections and gather the few dense columns; `explode` repeats rows and
/// adds its element column as dense. `dense(_:)` gathers one column, `materialized()` all of them.
struct Frame: Sendable {
    private(set) var columns: [Column]
    /// For each column, the selection it is read through; nil: dense.
    private(set) var through: [Int?]
    /// Row numbers into the base columns of each selection; nil: the base rows in order.
    private(set) var selections: [[Int32]?]
    private(set) var rowCount: Int
    var notes: [String] = []
    /// The row that is a 合计 total, if any (`total`, `summarize … with total`).
    var totalRow: Int?
    /// The table or let the rows came from, for messages.
    var origin: String

    /// A frame over base-aligned columns of `rowCount` rows.
    init(columns: [Column], origin: String, rowCount: Int? = nil) {
        self.columns = columns
        self.through = columns.map { _ in 0 }
        self.selections = [nil]
        self.origin = origin
        self.rowCount = rowCount ?? columns.first?.count ?? 0
    }

    func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name } ?? columns.firstIndex { $0.aliases.contains(name) }
    }

    /// The row numbers column `i` is read through; nil when it is read directly.
    private func rows(_ i: Int) -> [Int32]? {
        through[i].flatMap { selections[$0] }
    }

    /// Column `i` with one value per current row (a gather Ctrl-C stops: see `Interrupt`).
    func dense(_ i: Int) throws(Interrupted) -> Column {
        guard let rows = rows(i) else { return columns[i] }
        return try columns[i].gathered(rows)
    }

    /// Column `i` as stored, with the base row of each current row (nil: the row itself).
    func raw(_ i: Int) -> (column: Column, rows: [Int32]?) {
        (columns[i], rows(i))
    }

    /// Which row numbers column `i` is read through: columns with equal keys read the same rows
    /// (-1: directly), so their values can be combined position by position without gathering.
    func readKey(_ i: Int) -> Int {
        guard let k = through[i], selections[k] != nil else { return -1 }
        return k
    }

    /// Keeps the current rows at `positions`, in that order (positions may repeat). Each
    /// selection and dense column is gathered 64K rows at a time, stopping when Ctrl-C asks.
    func selecting(_ positions: [Int32]) throws(Interrupted) -> Frame {
        var out = self
        out.selections = []
        do {
            for selection in selections {
                guard let selection else { out.selections.append(positions); continue }
                out.selections.append(try Interrupt.gather(selection, positions))
            }
            for i in columns.indices where through[i] == nil { out.columns[i] = try columns[i].gathered(positions) }
        } catch {
            // What was gathered so far is freed in the background (`Interrupt.releaseInBackground`).
            Interrupt.releaseInBackground(&out, leaving: self)
            throw error
        }
        out.rowCount = positions.count
        return out
    }

    /// The first `n` current rows.
    func prefix(_ n: Int) throws(Interrupted) -> Frame {
        guard n < rowCount else { return self }
        return try selecting(Interrupt.makeArray(count: n) { out, range in
            for i in range { out[i] = Int32(i) }
        })
    }

    /// Replaces or appends a column with one value per current row.
    mutating func setDense(_ column: Column, at index: Int? = nil) {
        if let index {
            columns[index] = column
            through[index] = nil
        } else {
            columns.append(column)
            through.append(nil)
        }
    }

    /// Only the columns at `indices`, renamed to `names`.
    func projecting(_ indices: [Int], names: [String]) -> Frame {
        var out = self
        out.columns = zip(indices, names).map { columns[$0].named($1) }
        out.through = indices.map { through[$0] }
        return out
    }

    /// The rows of an equi-join: row `k` pairs current row `leftRows[k]` of `left` with current
    /// row `rightRows[k]` of `right`; `right`'s columns are appended (renamed by `rightNames`,
    /// nil: left out). No column is gathered: each side's columns are read through its rows.
    ///
    /// Ctrl-C (`Interrupt`) is looked at every 64K rows while left selections are composed; those
    /// composed so far are then freed in the background.
    static func joined(_ left: Frame, rows leftRows: [Int32], _ right: Frame, rows rightRows: [Int32],
                       rightNames: [String?]) throws(Interrupted) -> Frame {
        var out = left
        out.rowCount = leftRows.count
        // Each left selection a column reads is composed with the join's left rows; left's dense
        // columns and right's columns (dense after `materialized()`) are read through the join's
        // own rows. Selections no column reads are dropped.
        var composed: [[Int32]?] = []
        var renumbered: [Int: Int] = [:]
        for k in Set(left.through.compactMap { $0 }).sorted() {
            renumbered[k] = composed.count
            guard let selection = left.selections[k] else {
                composed.append(leftRows)
                continue
            }
            do { composed.append(try Interrupt.gather(selection, leftRows)) } catch {
                Interrupt.releaseInBackground(&composed, leaving: [])
                throw error
            }
        }
        var leftDense: Int?
        out.through = left.through.map { k in
            if let k { return renumbered[k] }
            if leftDense == nil {
                leftDense = composed.count
                composed.append(leftRows)
            }
            return leftDense
        }
        let dense = try right.materialized()
        var rightSelection: Int?
        for (i, column) in dense.columns.enumerated() {
            guard let name = rightNames[i] else { continue }
            if rightSelection == nil {
                rightSelection = composed.count
                composed.append(rightRows)
            }
            out.columns.append(column.named(name))
            out.through.append(rightSelection)
        }
        out.selections = composed
        out.totalRow = nil
        return out
    }

    /// About how many bytes a row `materialized()` would allocate for the columns still read
    /// through a selection (dense columns already exist).
    var materializationBytesPerRow: Int {
        columns.indices.reduce(0) { $0 + (rows($1) != nil ? columns[$1].bytesPerRow : 0) }
    }

    /// How many row vectors a join must compose with its left rows: the selections (not the base
    /// rows themselves) that some column reads.
    var composedSelectionCount: Int {
        Set(through.compactMap { $0 }).filter { selections[$0] != nil }.count
    }

    /// All columns dense, no selection.
    func materialized() throws(Interrupted) -> Frame {
        guard selections.contains(where: { $0 != nil }) else { return self }
        var dense: [Column] = []
        do {
            for i in columns.indices { dense.append(try self.dense(i)) }
        } catch {
            Interrupt.releaseInBackground(&dense, leaving: [])
            throw error
        }
        var frame = Frame(columns: dense, origin: origin, rowCount: rowCount)
        frame.notes = notes
        frame.totalRow = totalRow
        return frame
    }

    /// The frame as a result table.
    func table(named name: String = "result") throws(Interrupted) -> Table {
        Table(name: name, columns: try materialized().columns)
    }
}

extension Column {
    /// About how many bytes one row of this column takes once gathered, from its type alone (a
    /// snapshot's column is not decoded to ask): 8 for numbers and dates, 4 for a dictionary
    /// code, 16 for a text (its characters are shared, not copied), a list its offset and codes.
    var bytesPerRow: Int {
        switch type {
        case .int, .money, .decimal, .date, .month, .bool, .real: return 8
        case .string: return 4
        case .text: return 16
        case .list: return 12
        }
    }
}
