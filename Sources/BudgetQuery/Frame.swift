import BudgetStore

/// The rows flowing between operators: base columns plus an optional selection vector.
///
/// `where`, `sort`, `take` and `top` only narrow or reorder `selection`; nothing is copied until an
/// operator needs dense columns (`dense(_:)` gathers one column, `materialized()` all of them).
struct Frame: Sendable {
    var columns: [Column]
    var selection: [Int32]?
    var notes: [String] = []
    /// The table or let the rows came from, for messages.
    var origin: String
    private var explicitRowCount: Int?

    init(columns: [Column], selection: [Int32]? = nil, origin: String, rowCount: Int? = nil) {
        self.columns = columns
        self.selection = selection
        self.origin = origin
        self.explicitRowCount = rowCount
    }

    var baseCount: Int { columns.first?.count ?? explicitRowCount ?? 0 }
    var rowCount: Int { selection?.count ?? baseCount }

    func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name } ?? columns.firstIndex { $0.aliases.contains(name) }
    }

    /// Column `i` with the selection applied.
    func dense(_ i: Int) -> Column {
        guard let selection else { return columns[i] }
        return columns[i].gathered(selection)
    }

    /// All columns with the selection applied.
    func materialized() -> Frame {
        guard selection != nil else { return self }
        var frame = Frame(columns: columns.indices.map(dense), origin: origin, rowCount: rowCount)
        frame.notes = notes
        return frame
    }

    /// The frame as a result table.
    func table(named name: String = "result") -> Table {
        Table(name: name, columns: materialized().columns)
    }
}

extension Column {
    /// The rows at `indices`, in that order.
    func gathered(_ indices: [Int32]) -> Column {
        let data: ColumnData
        switch self.data {
        case .integers(let v): data = .integers(indices.map { v[Int($0)] })
        case .reals(let v): data = .reals(indices.map { v[Int($0)] })
        case .strings(let codes, let dictionary): data = .strings(codes: indices.map { codes[Int($0)] }, dictionary: dictionary)
        case .texts(let v): data = .texts(indices.map { v[Int($0)] })
        case .lists(let offsets, let codes, let dictionary):
            var newOffsets: [Int32] = [0]
            var newCodes: [Int32] = []
            newOffsets.reserveCapacity(indices.count + 1)
            for i in indices {
                newCodes.append(contentsOf: codes[Int(offsets[Int(i)])..<Int(offsets[Int(i) + 1])])
                newOffsets.append(Int32(newCodes.count))
            }
            data = .lists(offsets: newOffsets, codes: newCodes, dictionary: dictionary)
        }
        return Column(name: name, aliases: aliases, type: type, data: data)
    }
}
