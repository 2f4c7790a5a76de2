import BudgetStore

/// Which language report headers and status labels are in.
public enum ReportLanguage: String, Sendable, CaseIterable {
    /// Chinese headers from the columns' aliases, and 正常/滞后/逾期/已完成 (markdown, HTML, xlsx).
    case zh
    /// The column names and values as the query language spells them.
    case en
}

/// The one home of the presentation rules: which columns are ratios, what a column is called in
/// a Chinese report, how a status reads. Files for programs (CSV, JSON) use none of them.
public enum Presentation {
    /// A column's role (`Column.valueRole`, the one rule, in BudgetStore: totals use it too).
    public static func role(of column: Column) -> ValueRole { column.valueRole }

    /// Names of result columns that no table column carries, and what a Chinese report calls them.
    static let extraHeaders: [String: String] = [
        "payments": "支付笔数", "n": "数量", "count": "数量", "total": "合计", "paid_in_month": "本月支付",
        "delta": "增减额", "pct": "增减幅度", "share": "占比", "rate": "执行率", "bar": "图示",
        "paid": "支付金额", "paid_to_date": "累计支付", "budget": "预算金额", "target": "目标执行率",
        "projects": "项目数", "indicators": "指标数", "status": "状态", "deadline": "期限", "month": "月份",
    ]

    /// How an aggregate's implied name (`sum_budget`) reads in Chinese, around its argument's label.
    static let aggregateHeaders: [String: (prefix: String, suffix: String)] = [
        "sum": ("", "合计"), "avg": ("平均", ""), "min": ("最低", ""), "max": ("最高", ""),
        "count": ("", "数"), "dcount": ("", "数（去重）"),
    ]

    /// The Chinese header of `column`: its first Chinese alias, else what the loaded tables call a
    /// column of that name (`glossary`), else a few result names budgetq gives (`paid_in_month`),
    /// else an aggregate's name built from its argument's; else the name itself.
    public static func chineseHeader(_ column: Column, glossary: [String: String]) -> String {
        if let alias = column.aliases.first(where: isChinese) { return alias }
        return chineseName(column.name, glossary: glossary) ?? column.name
    }

    static func chineseName(_ name: String, glossary: [String: String]) -> String? {
        if isChinese(name) { return name }
        if let known = glossary[name] ?? extraHeaders[name] { return known }
        if let underscore = name.firstIndex(of: "_"), let make = aggregateHeaders[String(name[..<underscore])],
           let inner = chineseName(String(name[name.index(after: underscore)...]), glossary: glossary) {
            return make.prefix + inner + make.suffix
        }
        return nil
    }

    static func isChinese(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) || (0x3400...0x4DBF).contains($0.value) }
    }

    /// Every table column's first Chinese alias by name (the first table naming it wins).
    public static func glossary(of store: Store) -> [String: String] {
        var out: [String: String] = [:]
        for table in store.tables {
            for column in table.columns where out[column.name] == nil {
                if let alias = column.aliases.first(where: isChinese) { out[column.name] = alias }
            }
        }
        return out
    }

    /// A status column: `status` or 状态.
    static func isStatus(_ column: Column) -> Bool { column.answers(to: "status") || column.answers(to: "状态") }

    /// 正常 / 滞后 / 逾期 / 已完成 for the execution statuses; other text unchanged.
    public static func statusLabel(_ value: String) -> String { ExecutionStatus(rawValue: value)?.chineseLabel ?? value }
}
