/// How one function is called, what it gives and what it does with null: `.help`, `budgetq
/// reference` and the README's list are made from these (one entry per function, kept complete by
/// the compiler's exhaustive switch).
public struct FunctionDoc: Sendable {
    public let name: String
    public let usage: String
    /// The type of the result.
    public let result: String
    /// What a null argument gives.
    public let nulls: String
    public let help: String
}

extension Vocabulary {
    /// Every scalar function, in the order of its enum.
    public static var functions: [FunctionDoc] { ScalarFunction.allCases.map(doc) }
    /// Every aggregate, in the order of its enum.
    public static var aggregates: [FunctionDoc] { AggregateFunction.allCases.map(doc) }

    static func doc(_ function: ScalarFunction) -> FunctionDoc {
        let name = function.rawValue
        switch function {
        case .round:
            return FunctionDoc(name: name, usage: "round(x [, digits])", result: "as x (money stays money; a decimal to 0 digits is an int; a real stays real)",
                               nulls: "null", help: "四舍五入: half away from zero on the exact value, so round(1.005, 2) is 1.01; digits 0–10, default 0")
        case .abs:
            return FunctionDoc(name: name, usage: "abs(x)", result: "as x", nulls: "null", help: "the absolute value")
        case .year:
            return FunctionDoc(name: name, usage: "year(d)", result: "int", nulls: "null", help: "the year of a date or month")
        case .month:
            return FunctionDoc(name: name, usage: "month(d)", result: "month (2024-06) for a date; int 1–12 for a month", nulls: "null",
                               help: "the month a date falls in, to group by (`summarize … by month(date)`)")
        case .quarter:
            return FunctionDoc(name: name, usage: "quarter(d)", result: "string such as 2024-Q2", nulls: "null",
                               help: "the quarter of a date or month; compare with a quarter literal (`quarter(date) == 2024-Q2`)")
        case .getyear:
            return FunctionDoc(name: name, usage: "getyear(d)", result: "int", nulls: "null", help: "the year as a number (KQL's getyear)")
        case .getmonth:
            return FunctionDoc(name: name, usage: "getmonth(d)", result: "int 1–12", nulls: "null", help: "the month as a number, beside month() which gives a month")
        case .len:
            return FunctionDoc(name: name, usage: "len(s)", result: "int", nulls: "null", help: "characters of a string (铜仁 is 2), items of a list")
        case .strcat:
            return FunctionDoc(name: name, usage: "strcat(a, b, …)", result: "string", nulls: "counts as empty text (as in KQL)",
                               help: "joins values as text; numbers and dates as their exact text (`strcat(project, \"/\", name)`)")
        case .tofen:
            return FunctionDoc(name: name, usage: "tofen(x)", result: "int", nulls: "null", help: "an exact amount in integer fen (1 元 = 100), for systems that keep fen")
        case .coalesce:
            return FunctionDoc(name: name, usage: "coalesce(x, y)", result: "the common type of x and y", nulls: "y where x is null",
                               help: "x, or y where x is null (`coalesce(unit, \"\")`)")
        case .iff:
            return FunctionDoc(name: name, usage: "iff(condition, a, b)", result: "the common type of a and b", nulls: "a null condition picks b",
                               help: "a where condition is true, else b")
        case .isnull:
            return FunctionDoc(name: name, usage: "isnull(x)", result: "bool", nulls: "true", help: "true where x is null (`x == null` is refused with this hint)")
        case .isnotnull:
            return FunctionDoc(name: name, usage: "isnotnull(x)", result: "bool", nulls: "false", help: "true where x has a value")
        case .isempty:
            return FunctionDoc(name: name, usage: "isempty(x)", result: "bool", nulls: "true", help: "true where x is null, an empty string or an empty list")
        case .bar:
            return FunctionDoc(name: name, usage: "bar(x [, max [, width]])", result: "string", nulls: "empty",
                               help: "an inline bar of x against max (default 1, for ratios) in width cells (default 20), as DuckDB's bar()")
        }
    }

    static func doc(_ function: AggregateFunction) -> FunctionDoc {
        let name = function.rawValue
        switch function {
        case .count:
            return FunctionDoc(name: name, usage: "count(), count(*) or count(x)", result: "int", nulls: "count() counts every row; count(x) only rows where x is not null",
                               help: "the number of rows (of each group)")
        case .sum:
            return FunctionDoc(name: name, usage: "sum(x)", result: "as x (exact: money stays money)", nulls: "skipped; null when every value is null or there are no rows",
                               help: "the total; an exact sum past the type's range is an error, never a wrapped number")
        case .avg:
            return FunctionDoc(name: name, usage: "avg(x)", result: "decimal (real for reals)", nulls: "skipped; null when there is no value", help: "the mean of the values")
        case .min:
            return FunctionDoc(name: name, usage: "min(x)", result: "as x", nulls: "skipped; null when there is no value", help: "the smallest value")
        case .max:
            return FunctionDoc(name: name, usage: "max(x)", result: "as x", nulls: "skipped; null when there is no value", help: "the largest value")
        case .dcount:
            return FunctionDoc(name: name, usage: "dcount(x)", result: "int", nulls: "not counted", help: "the number of distinct values")
        case .runningSum:
            return FunctionDoc(name: name, usage: "running_sum(x)", result: "as x", nulls: "add nothing", help: "in derive: the sum so far, in the current order")
        }
    }
}
