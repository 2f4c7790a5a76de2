/// What a number in a column means to its reader: how people see it (35.61%) and whether a
/// total row may add it up.
public enum ValueRole: Sendable, Equatable {
    /// A fraction shown as a percentage: 0.3561 → 35.61% (执行率, targets, shares).
    case ratio
    /// Already in percentage points: -2.0062 → -2.01% (compare's `pct`).
    case percentPoints
    case plain
}

extension Column {
    /// Ratios are recognised by name, so they stay ratios through `derive`, `summarize` and
    /// renaming (a renamed column keeps its old name as an alias): `rate`, `target`, `share`,
    /// `ratio`, a `_rate`/`_share`/`_ratio`/`_target` suffix, or a Chinese name with 率, 占比 or
    /// 比例/比重. `pct` and `_pct` are percentage points. Only real and decimal columns qualify.
    public var valueRole: ValueRole {
        guard type == .real || type == .decimal else { return .plain }
        let names = [name] + aliases
        if names.contains(where: { $0 == "pct" || $0.hasSuffix("_pct") }) { return .percentPoints }
        let ratioWords: Set<String> = ["rate", "target", "share", "ratio"]
        for name in names {
            if ratioWords.contains(name) || ["_rate", "_share", "_ratio", "_target"].contains(where: { name.hasSuffix($0) }) { return .ratio }
            if ["率", "占比", "比例", "比重"].contains(where: { name.contains($0) }) { return .ratio }
        }
        return .plain
    }
}
