/// A calendar date without time zone, as budget documents use them (`2024-09-30`).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Returns nil unless the date exists in the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The last day of a month; months outside 1...12 roll into the neighbouring years.
    public static func endOfMonth(year: Int, month: Int) -> CalendarDate? {
        let zeroBased = year * 12 + (month - 1)
        let (y, m) = (zeroBased / 12, zeroBased % 12 + 1)
        return CalendarDate(year: y, month: m, day: daysIn(month: m, year: y))
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: Substring) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date as the integer `yyyymmdd`, which orders like the date.
    public var packed: Int64 { Int64(year * 10_000 + month * 100 + day) }

    public init?(packed: Int64) {
        self.init(year: Int(packed / 10_000), month: Int(packed / 100 % 100), day: Int(packed % 100))
    }

    /// The day before this one.
    public var previousDay: CalendarDate? {
        if day > 1 { return CalendarDate(year: year, month: month, day: day - 1) }
        return CalendarDate.endOfMonth(year: year, month: month - 1)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.packed < b.packed }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
