import BudgetStore

/// The rows flowing between operators: columns plus an optional selection vector.
///
/// A column is either base-aligned (one value per base row, read through `selection`) or dense
/// (one value per current row). `where`, `sort`, `take` and `top` only narrow or reorder the
/// selection and gather the few dense columns; `explode` repeats base rows in the selection and
/// adds its element column as dense. Nothing else is copied until an operator needs dense values:
/// `dense(_:)` gathers one column, `materialized()` all of them.
struct Frame: Sendable {
    private(set) var columns: [Column]
    private(set) var isDense: [Bool]
    private(set) var selection: [Int32]?
    private(set) var baseCount: Int
    var notes: [String] = []
    /// The row that is a 合计 total, if any (`total`, `summarize … with total`).
    var totalRow: Int?
    /// The table or let the rows came from, for messages.
    var origin: String

    /// A frame over base-aligned columns of `rowCount` rows.
    init(columns: [Column], origin: String, rowCount: Int? = nil) {
        self.columns = columns
        self.isDense = columns.map { _ in false }
        self.selection = nil
        self.origin = origin
        self.baseCount = rowCount ?? columns.first?.count ?? 0
    }

    var rowCount: Int { selection?.count ?? baseCount }

    func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name } ?? columns.firstIndex { $0.aliases.contains(name) }
    }

    /// Column `i` with one value per current row.
    func dense(_ i: Int) -> Column {
        guard let selection, !isDense[i] else { return columns[i] }
        return columns[i].gathered(selection)
    }

    /// Column `i` as stored, with the base row of each current row (nil: the row itself).
    func raw(_ i: Int) -> (column: Column, rows: [Int32]?) {
        isDense[i] ? (columns[i], nil) : (columns[i], selection)
    }

    /// Keeps the current rows at `positions`, in that order (positions may repeat).
    func selecting(_ positions: [Int32]) -> Frame {
        var out = self
        if let selection {
            out.selection = positions.map { selection[Int($0)] }
        } else {
            out.selection = positions
        }
        for i in columns.indices where isDense[i] { out.columns[i] = columns[i].gathered(positions) }
        return out
    }

    /// The first `n` current rows.
    func prefix(_ n: Int) -> Frame {
        guard n < rowCount else { return self }
        return selecting((0..<Int32(n)).map { $0 })
    }

    /// Replaces or appends a column with one value per current row.
    mutating func setDense(_ column: Column, at index: Int? = nil) {
        if let index {
            columns[index] = column
            isDense[index] = true
        } else {
            columns.append(column)
            isDense.append(true)
        }
    }

    /// Only the columns at `indices`, renamed to `names`.
    func projecting(_ indices: [Int], names: [String]) -> Frame {
        var out = self
        out.columns = zip(indices, names).map { columns[$0].named($1) }
        out.isDense = indices.map { isDense[$0] }
        return out
    }

    /// All columns dense, no selection.
    func materialized() -> Frame {
        guard selection != nil else { return self }
        var frame = Frame(columns: columns.indices.map(dense), origin: origin, rowCount: rowCount)
        frame.notes = notes
        frame.totalRow = totalRow
        return frame
    }

    /// The frame as a result table.
    func table(named name: String = "result") -> Table {
        Table(name: name, columns: materialized().columns)
    }
}
