import BudgetCore

/// Typed, null-aware reads of one column of a built table, for the derived tables (a missing
/// column reads as null, so a snapshot from before a column existed still derives).
struct ColumnView {
    let data: ColumnData?

    init(_ table: Table, _ name: String) { data = table.column(named: name)?.data }

    func string(_ row: Int) -> String? {
        switch data {
        case .strings(let codes, let dictionary)?: return codes[row] == nullCode ? nil : dictionary[Int(codes[row])]
        case .texts(let values)?: return values[row]
        default: return nil
        }
    }

    func integer(_ row: Int) -> Int64? {
        guard case .integers(let values, let nulls)? = data, !nulls.isNull(row) else { return nil }
        return values[row]
    }

    func decimal(_ row: Int) -> ExactDecimal? { integer(row).map(ExactDecimal.init(scaled:)) }

    func real(_ row: Int) -> Double? {
        guard case .reals(let values)? = data, !values[row].isNaN else { return nil }
        return values[row]
    }
}

/// Appends typed values with nulls and finishes them into a column.
struct ColumnAppender {
    let name: String
    let aliases: [String]
    let type: ColumnType
    private var integers = IntegerColumnBuilder()
    private var reals: [Double] = []
    private var texts: [String?] = []
    private var strings = StringColumnBuilder()
    private var lists = ListColumnBuilder()

    init(_ name: String, _ aliases: [String], _ type: ColumnType) {
        self.name = name
        self.aliases = aliases
        self.type = type
    }

    mutating func append(integer value: Int64?) { integers.append(value) }
    mutating func append(decimal value: ExactDecimal?) { integers.append(value?.scaled) }
    mutating func append(bool value: Bool?) { integers.append(value.map { $0 ? 1 : 0 }) }
    mutating func append(real value: Double?) { reals.append(value ?? .nan) }
    mutating func append(string value: String?) {
        if type == .text { texts.append(value) } else { strings.append(value) }
    }
    mutating func append(list value: [String]) { lists.append(value) }

    mutating func finish() -> Column {
        let data: ColumnData
        switch type {
        case .real: data = .reals(reals)
        case .text: data = .texts(texts)
        case .string: data = strings.finish()
        case .list: data = lists.finish()
        default: data = integers.finish()
        }
        return Column(name: name, aliases: aliases, type: type, data: data)
    }
}
