import BudgetStore

/// Builds a column from boxed values (for small results: groups, joins, pivots).
struct ValueColumnBuilder {
    let type: ColumnType
    private var ints = IntegerColumnBuilder()
    private var reals: [Double] = []
    private var strings = StringColumnBuilder()
    private var texts: [String?] = []
    private var lists = ListColumnBuilder()

    init(type: ColumnType) { self.type = type }

    mutating func append(_ value: Value) {
        switch type {
        case .real:
            switch value {
            case .real(let v): reals.append(v)
            case .integer(let v): reals.append(Double(v))
            default: reals.append(.nan)
            }
        case .string:
            if case .string(let s) = value { strings.append(s) } else { strings.append(nil) }
        case .text:
            if case .string(let s) = value { texts.append(s) } else { texts.append(nil) }
        case .list:
            if case .list(let items) = value { lists.append(items) } else { lists.append([]) }
        default:
            if case .integer(let v) = value { ints.append(v) } else { ints.append(nil) }
        }
    }

    func finish(name: String) -> Column {
        let data: ColumnData
        switch type {
        case .real: data = .reals(reals)
        case .string: data = strings.finish()
        case .text: data = .texts(texts)
        case .list: data = lists.finish()
        default: data = ints.finish()
        }
        return Column(name: name, type: type, data: data)
    }
}
