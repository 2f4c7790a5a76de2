import Foundation
import BudgetCore

/// A field of the 绩效目标表 family that a label names. The synonyms live in `labels.tsv`, not here.
public enum LabelField: String, Sendable, CaseIterable {
    case projectName = "project.name", department = "project.department", unit = "project.unit"
    case type = "project.type", level = "project.level", period = "project.period", year = "project.year"
    case startYear = "project.start_year", endYear = "project.end_year"
    case extra = "project.extra", ignore = "project.ignore", filed = "project.filed"
    case moneyBlock = "money.block", budget = "money.budget", budgetTotal = "money.budget_total"
    case budgetInitial = "money.budget_initial", budgetAdjusted = "money.budget_adjusted"
    case spent = "money.spent", spentRate = "money.spent_rate"
    case fundsFiscal = "money.funds_fiscal", fundsFiscalYear = "money.funds_fiscal_year"
    case fundsOther = "money.funds_other", fundsOtherYear = "money.funds_other_year"
    case moneyWeight = "money.weight", moneyScore = "money.score", moneyRowHeader = "money.row_header"
    case goalBlock = "goal.block", goalPeriod = "goal.period", goalYear = "goal.year", goalResult = "goal.result"
    case indicatorBlock = "indicator.block", level1 = "indicator.level1", level2 = "indicator.level2", level3 = "indicator.level3"
    case annualTarget = "indicator.annual", periodTarget = "indicator.period", operatorColumn = "indicator.operator"
    case nature = "indicator.nature", measure = "indicator.measure", weight = "indicator.weight"
    case actual = "indicator.actual", score = "indicator.score", standard = "indicator.standard"
    case note = "indicator.note", explanation = "indicator.explanation", treeItem = "indicator.tree_item"
    case rowEnd = "row.end"

    /// Which zone of a table the label belongs to (the part of its name before the dot).
    /// A switch, not a dictionary: a `[LabelField: LabelZone]` hashed the raw value's text on
    /// every label look-up, ~2 % of a 100k load (perf, issue 13). `ReaderFastPathTests` checks it
    /// against the raw value's name.
    var zone: LabelZone {
        switch self {
        case .projectName, .department, .unit, .type, .level, .period, .year, .startYear, .endYear, .extra, .ignore, .filed:
            return .project
        case .moneyBlock, .budget, .budgetTotal, .budgetInitial, .budgetAdjusted, .spent, .spentRate, .fundsFiscal, .fundsFiscalYear,
             .fundsOther, .fundsOtherYear, .moneyWeight, .moneyScore, .moneyRowHeader:
            return .money
        case .goalBlock, .goalPeriod, .goalYear, .goalResult:
            return .goal
        case .indicatorBlock, .level1, .level2, .level3, .annualTarget, .periodTarget, .operatorColumn, .nature, .measure, .weight,
             .actual, .score, .standard, .note, .explanation, .treeItem:
            return .indicator
        case .rowEnd:
            return .row
        }
    }
}

/// The zones of a table whose labels a lookup considers.
public struct LabelZone: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let project = LabelZone(rawValue: 1), money = LabelZone(rawValue: 2), goal = LabelZone(rawValue: 4)
    public static let indicator = LabelZone(rawValue: 8), row = LabelZone(rawValue: 16)
}

/// The label synonyms of the family, read from a `labels.tsv` (see `datasets/labels.tsv`).
public struct LabelBook: Sendable {
    /// Keyed by UTF-8 bytes: they hash without Unicode normalisation, which dominated lookups.
    private var fields: [ByteKey: [LabelField]] = [:]
    /// Title endings and the document kind each names (`申报表` → 申报), longest first.
    private(set) var titleEndings: [(ending: String, kind: String)] = []
    /// Category synonyms to the category's name (`产出` → 产出指标), by level.
    private var level1Names: [String: String] = [:]
    private var level2Names: [String: String] = [:]
    /// Ledger header synonyms to the column they name (`支付金额` → amount).
    private var ledgerNames: [String: LedgerField] = [:]
    /// How a bare 前 is read (`reading.bare_before`); the literal reading unless the table says otherwise.
    public private(set) var bareBefore: TargetReader.BareBefore = .periodStart
    /// The shape of every key `fields`, `level1Names` and `level2Names` hold, for `mayName`.
    private var keyShapes: [LabelShape] = []
    /// Whether `mayName` can rule cells out (false when a key is empty or holds a scalar that is
    /// not plain, `isPlainScalar`).
    private var filtersCells = false

    private init() {}

    /// The built-in table (the text of `datasets/labels.tsv`, embedded by `make labels`).
    public static let builtIn: LabelBook = {
        var ignored: [Diagnostic] = []
        return LabelBook.parse(DefaultLabels.text, file: "(built-in labels.tsv)", diagnostics: &ignored)
    }()

    /// Reads the tab-separated synonym table; unknown fields and malformed lines go to `diagnostics`.
    public static func parse(_ text: String, file: String, diagnostics: inout [Diagnostic]) -> LabelBook {
        var book = LabelBook()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
            guard let head = cells.first, cells.count >= 2 else {
                diagnostics.append(.error(file, offset + 1, "expected FIELD<TAB>synonym…, e.g. `project.name\t项目名称`"))
                continue
            }
            let synonyms = cells.dropFirst().map { LabelText.parse($0).key }
            if head.hasPrefix("title.") {
                let kind = String(head.dropFirst("title.".count))
                book.titleEndings += synonyms.map { ($0, kind) }
            } else if head == "reading.bare_before" {
                guard let setting = TargetReader.BareBefore(rawValue: cells[1]) else {
                    diagnostics.append(.error(file, offset + 1, "reading.bare_before takes period_start or period_end, not `\(cells[1])`"))
                    continue
                }
                book.bareBefore = setting
            } else if head.hasPrefix("ledger.") {
                guard let field = LedgerField(rawValue: String(head.dropFirst("ledger.".count))) else {
                    diagnostics.append(.error(file, offset + 1, "unknown ledger field `\(head)`; expected ledger.\(LedgerField.allCases.map(\.rawValue).joined(separator: ", ledger."))"))
                    continue
                }
                for s in synonyms { book.ledgerNames[s.lowercased()] = field }
            } else if head == "category.1" || head == "category.2" {
                let canonical = synonyms[0]
                for s in synonyms {
                    if head == "category.1" { book.level1Names[s] = canonical } else { book.level2Names[s] = canonical }
                }
            } else if let field = LabelField(rawValue: head) {
                for s in synonyms where !(book.fields[ByteKey(s)]?.contains(field) ?? false) { book.fields[ByteKey(s), default: []].append(field) }
            } else {
                let known = LabelField.allCases.map(\.rawValue) + ["title.KIND", "category.1", "category.2", "ledger.FIELD", "reading.bare_before"]
                diagnostics.append(.error(file, offset + 1, "unknown field `\(head)`; expected one of \(known.joined(separator: ", "))"))
            }
        }
        book.titleEndings.sort { $0.ending.count > $1.ending.count }
        book.signKeys()
        return book
    }

    private mutating func signKeys() {
        var shapes: [LabelShape] = []
        var seen = Set<LabelShape>()
        var filters = true
        func sign(_ bytes: UnsafeRawBufferPointer) {
            guard let shape = LabelShape(key: bytes) else { filters = false; return }
            // A key with a bracket or a star is never the key of a cell `mayName` rules on.
            if shape.canMatchFilteredCells, seen.insert(shape).inserted { shapes.append(shape) }
        }
        for key in fields.keys { key.bytes.withUnsafeBytes(sign) }
        for key in Array(level1Names.keys) + Array(level2Names.keys) { key.withUTF8Bytes(sign) }
        keyShapes = shapes
        filtersCells = filters
    }

    /// False when no key of this book can be the parsed key (`LabelText.parse`) of a cell of these
    /// UTF-8 bytes, so the cell names no field and no category: most cells (names, targets,
    /// amounts) are ruled out without taking them apart (parsing every distinct short cell was
    /// ~7 % of loading, issue 13). True means only that the cell may name one.
    func mayName(_ cell: UnsafeRawBufferPointer) -> Bool {
        guard filtersCells, let shape = LabelShape(cell: cell) else { return true }
        return keyShapes.contains { shape.mayHold($0) }
    }

    /// The ledger column a header cell names (`支付日期`, `金额(元)`, `Date`), if any; a folder's own
    /// labels.tsv keeps the built-in synonyms of every ledger field it has no `ledger.` line for
    /// (an older labels.tsv without `ledger.indicator` still reads actuals ledgers).
    public func ledgerField(_ header: String) -> LedgerField? {
        let key = LabelText.parse(header).key.lowercased()
        if let field = ledgerNames[key] { return field }
        guard let builtIn = LabelBook.builtIn.ledgerNames[key], !ledgerNames.values.contains(builtIn) else { return nil }
        return builtIn
    }

    /// The field of `key` in the given zones, if any.
    func field(_ key: String, in zones: LabelZone) -> LabelField? {
        fields[ByteKey(key)]?.first { zones.contains($0.zone) }
    }

    /// The field a parsed label names in the given zones (its key's bytes are kept with it).
    func field(_ label: LabelText, in zones: LabelZone) -> LabelField? {
        fields[ByteKey(label.keyBytes)]?.first { zones.contains($0.zone) }
    }

    /// Every field the parsed label's key names, in any zone.
    func fields(of label: LabelText) -> [LabelField] {
        fields[ByteKey(label.keyBytes)] ?? []
    }

    /// The document kind when `text` is a title of the family (`…绩效目标申报表`, `…自评表(2023年度)`).
    func titleKind(_ text: String) -> String? {
        // Every title names a 表; most one-cell rows (goal texts) do not, and skip the work below.
        if text.utf8.count > 400 || !text.hasBytes("表") { return nil }
        var key = LabelText.titleCore(LabelText.squash(text))
        if key.count > 90 || key.isEmpty { return nil }
        // `…绩效目标表3`, `…申报表（一）`: a table number after the title.
        while let last = key.last, last.isASCII && last.isNumber { key.removeLast() }
        for (ending, kind) in titleEndings where key.hasSuffix(ending) { return kind }
        return nil
    }

    /// `产出指标(50分)`, `产出 指标`, `成本指标(0-20)分` → 产出指标 / 成本指标; nil when not a category.
    func level1Category(_ raw: String) -> String? { level1Names[LabelText.categoryKey(raw)] }

    /// `数量指标(必填硬性指标)` → 数量指标; nil when not a category.
    func level2Category(_ raw: String) -> String? { level2Names[LabelText.categoryKey(raw)] }

    /// `level1Category` of a cell already parsed (`categoryKey` is the parsed key).
    func level1Category(of label: LabelText) -> String? { level1Names[label.key] }

    /// `level2Category` of a cell already parsed.
    func level2Category(of label: LabelText) -> String? { level2Names[label.key] }
}

/// What `LabelText.parse` leaves of a label, in a form that rules keys out cheaply: for
/// `LabelBook.mayName`.
///
/// The parsed key of a cell is its squashed text (`LabelText.squash`) with ★/☆ removed, a prefix
/// dropped (numbering `1.`/`一、`, `其中`, a month span, a `2024年` year: all begin with a digit,
/// a numeral, 其 or 截), every bracketed note removed, and a suffix dropped (colons, a score
/// `10分`). So for a cell without stars and with balanced brackets, the key is a run of the
/// cell's text outside brackets (`outside`) that starts where that text starts (unless it begins
/// with a digit, a numeral, 其 or 截) and ends where it ends bar trailing colons (unless it then
/// ends with 分). A key's scalars and adjacent pairs must all be the run's: 256 bits (a Bloom
/// filter) of the scalars and pairs outside brackets, and the first and last scalar, compared
/// exactly. Texts with a scalar that is not plain (`isPlainScalar`: another spelling could equal
/// it as a `Character` or under canonical equivalence, which the `String`-keyed category names
/// use) are never ruled out; neither are cells with a star or an unclosed bracket.
struct LabelShape: Hashable, Sendable {
    private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// The first and the last scalar of the run (the key's own, for a key); 0 when any may be.
    private var first: UInt32 = 0
    private var last: UInt32 = 0
    /// A key holding a bracket or a star (only ever parsed from an unclosed or starred cell).
    private var holdsBracketOrStar = false

    var canMatchFilteredCells: Bool { !holdsBracketOrStar }

    static func == (a: LabelShape, b: LabelShape) -> Bool {
        a.bits == b.bits && a.first == b.first && a.last == b.last && a.holdsBracketOrStar == b.holdsBracketOrStar
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(bits.0); hasher.combine(bits.1); hasher.combine(bits.2); hasher.combine(bits.3)
        hasher.combine(first); hasher.combine(last)
    }

    private mutating func set(_ x: UInt64) {
        let bit = (x &* 0x9E37_79B9_7F4A_7C15) >> 56
        switch bit >> 6 {
        case 0: bits.0 |= 1 << (bit & 63)
        case 1: bits.1 |= 1 << (bit & 63)
        case 2: bits.2 |= 1 << (bit & 63)
        default: bits.3 |= 1 << (bit & 63)
        }
    }

    private mutating func add(_ scalar: UInt32, after previous: UInt32?) {
        set(UInt64(scalar) &+ 1)
        if let previous { set((UInt64(previous) << 21 | UInt64(scalar)) &+ 0x5555) }
    }

    private static func isOpener(_ v: UInt32) -> Bool { v == 0x28 || v == 0x5B || v == 0x3010 }  // ( [ 【
    private static func isCloser(_ v: UInt32) -> Bool { v == 0x29 || v == 0x5D || v == 0x3011 }  // ) ] 】
    private static func isStar(_ v: UInt32) -> Bool { v == 0x2605 || v == 0x2606 }

    /// A key of the book (already parsed, so squashed); nil when it is empty or not all plain.
    init?(key bytes: UnsafeRawBufferPointer) {
        var i = 0
        var previous: UInt32?
        while i < bytes.count {
            let (scalar, next) = decodeScalar(bytes, at: i)
            i = next
            guard isPlainScalar(scalar) else { return nil }
            if Self.isOpener(scalar) || Self.isCloser(scalar) || Self.isStar(scalar) { holdsBracketOrStar = true }
            add(scalar, after: previous)
            if first == 0 { first = scalar }
            last = scalar
            previous = scalar
        }
        guard previous != nil else { return nil }
    }

    /// A cell's raw UTF-8; nil when it cannot be ruled on (a scalar not plain, a star, an unclosed bracket).
    init?(cell bytes: UnsafeRawBufferPointer) {
        var i = 0
        var depth = 0
        var previous: UInt32?
        var lastNonColon: UInt32 = 0
        var start: UInt32?
        while i < bytes.count {
            var (scalar, next) = decodeScalar(bytes, at: i)
            i = next
            // What squashing makes of it.
            switch scalar {
            case 0x3000, 0x20, 0x09, 0xA0, 0x0A, 0x0D, 0x2002, 0x2003, 0x2009, 0x200B: continue
            case 0xFF01...0xFF5E: scalar -= 0xFEE0
            case 0x2236: scalar = UInt32(UInt8(ascii: ":"))
            default: break
            }
            guard isPlainScalar(scalar), !Self.isStar(scalar) else { return nil }
            // The notes loop of `LabelText.parseUncached`: openers nest, a closer closes only an open note.
            if Self.isOpener(scalar) { depth += 1; continue }
            if depth > 0 {
                if Self.isCloser(scalar) { depth -= 1 }
                continue
            }
            add(scalar, after: previous)
            previous = scalar
            if start == nil { start = scalar }
            if scalar != 0x3A { lastNonColon = scalar }
        }
        guard depth == 0 else { return nil }
        if let start {
            switch start {
            case 0x30...0x39, 0x4E00, 0x4E03, 0x4E09, 0x4E5D, 0x4E8C, 0x4E94, 0x516B, 0x516D, 0x5341, 0x56DB, 0x5176, 0x622A:
                first = 0  // 0-9 一七三九二五八六十四 其 截: a prefix may be dropped
            default:
                first = start
            }
        }
        last = lastNonColon == 0x5206 ? 0 : lastNonColon  // 分: a score may be dropped
        if lastNonColon == 0 { last = UInt32.max }  // nothing but colons: no key of a book ends here
    }

    /// Whether `key` may be what parsing leaves of this cell.
    func mayHold(_ key: LabelShape) -> Bool {
        (first == 0 || first == key.first) && (last == 0 || last == key.last)
            && key.bits.0 & ~bits.0 == 0 && key.bits.1 & ~bits.1 == 0 && key.bits.2 & ~bits.2 == 0 && key.bits.3 & ~bits.3 == 0
    }
}

/// A label cell taken apart: the key compared with `labels.tsv`, and what its notes say.
struct LabelText: Equatable {
    /// The label with spaces, numbering, year, notes and trailing colon removed.
    var key: String { didSet { keyBytes = Array(key.utf8) } }
    /// `key` as UTF-8, for lookups that hash bytes.
    private(set) var keyBytes: [UInt8] = []
    /// The label with only spaces and full-width forms normalised (for titles).
    var bare: String
    /// A leading `2024年` / `2024年度`.
    var year: Int?
    /// `(元)` → 1, `(万元)` → 10000, `(亿元)` → 10^8.
    var unitMultiplier: Int64?
    /// `(长期)`, `(年度)`, `(A)`… — the notes that were not a unit or a score.
    var tags: [String] = []
    /// `(50分)`, `10分`, `(0-20)分`.
    var points: String?

    init(key: String, bare: String, year: Int? = nil) {
        self.key = key
        self.keyBytes = Array(key.utf8)
        self.bare = bare
        self.year = year
    }

    /// Labels are short; longer cells (goals, indicator names) are never compared with `labels.tsv`
    /// beyond their squashed text, so they skip the work below.
    static let longestLabelBytes = 72

    /// Parses a label cell, remembering short ones: the same labels and category cells repeat on every
    /// table, and taking them apart again dominated loading time (profiled with perf, BENCHMARKS.md).
    static func parse(_ raw: String) -> LabelText {
        raw.withUTF8Bytes { bytes -> LabelText in
            if bytes.count > longestLabelBytes {
                // Too long to be a label: no key to look up (the raw text stays in `bare`).
                return LabelText(key: "", bare: raw)
            }
            if let hit = LabelMemo.shared.value(for: bytes) { return hit }
            let parsed = parseUncached(raw)
            LabelMemo.shared.store(parsed, for: bytes)
            return parsed
        }
    }

    private static func parseUncached(_ raw: String) -> LabelText {
        let bare = squash(raw)
        var monthSpan: String?
        var chars = Array(bare)
        chars.removeAll { $0 == "★" || $0 == "☆" }
        var text = String(chars)
        // Leading numbering: `1.`, `2、`, `一、`, `其中:`.
        text = droppingNumbering(text)
        for prefix in ["其中:", "其中"] where text.hasPrefix(prefix) && text.count > prefix.count {
            text.removeFirst(prefix.count)
            break
        }
        // `1-7月执行数`, `1—6月实际完成值`, `截至7月底执行数`: the months are a note, not the label.
        text = droppingMonthSpan(text, into: &monthSpan)
        var year: Int?
        let scalars = Array(text)
        if scalars.count > 5, scalars[0..<4].allSatisfy({ $0.isASCII && $0.isNumber }), scalars[4] == "年",
           let y = Int(String(scalars[0..<4])), (1990...2100).contains(y) {
            year = y
            text = String(scalars[5...])
            if text.hasPrefix("度") { text.removeFirst() }
        }
        var result = LabelText(key: "", bare: bare, year: year)
        if let monthSpan { result.tags.append(monthSpan) }
        // Parenthetical notes, anywhere.
        var out = ""
        var depth = 0
        var inner = ""
        for c in text {
            if c == "(" || c == "[" || c == "【" {
                if depth == 0 { inner = "" } else { inner.append(c) }
                depth += 1
            } else if (c == ")" || c == "]" || c == "】") && depth > 0 {
                depth -= 1
                if depth == 0 { result.note(inner) } else { inner.append(c) }
            } else if depth > 0 {
                inner.append(c)
            } else {
                out.append(c)
            }
        }
        if depth > 0 { out += "(" + inner }
        while out.hasSuffix(":") { out.removeLast() }
        // A trailing score: `预算执行10分`, `成本指标分` (left over from `(0-20)分`).
        if out.hasSuffix("分") {
            var trimmed = out
            trimmed.removeLast()
            let digits = trimmed.reversed().prefix { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == ".") }
            if !digits.isEmpty || trimmed.hasSuffix("指标") {
                if !digits.isEmpty { result.points = String(digits.reversed()) + "分" }
                trimmed.removeLast(digits.count)
                out = trimmed
            }
        }
        while out.hasSuffix(":") { out.removeLast() }
        result.key = out
        return result
    }

    private mutating func note(_ inner: String) {
        switch inner {
        case "元": unitMultiplier = 1
        case "万元", "万": unitMultiplier = 10_000
        case "亿元", "亿": unitMultiplier = 100_000_000
        case "千元": unitMultiplier = 1_000
        default:
            if inner.hasSuffix("分") || inner.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == ".") }) && !inner.isEmpty {
                points = inner
            } else {
                tags.append(inner)
            }
        }
    }

    /// Full-width forms to ASCII, ideographic and other spaces removed.
    ///
    /// Over UTF-8 bytes, the same scalar mapping as before (U+FF01–U+FF5E to ASCII; U+3000, space,
    /// tab, U+00A0, LF, CR, U+2002, U+2003, U+2009, U+200B removed; U+2236 to `:`): appending
    /// scalar by scalar to a `String.UnicodeScalarView` was ~5 % of loading (issue 13). A text with
    /// none of those scalars comes back as it is, without a copy.
    static func squash(_ raw: String) -> String {
        raw.withUTF8Bytes { bytes -> String in
            // Every scalar squash changes starts with one of these bytes.
            guard bytes.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xC2 || $0 == 0xE2 || $0 == 0xE3 || $0 == 0xEF })
            else { return raw }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i]
                switch b {
                case 0x20, 0x09, 0x0A, 0x0D:
                    i += 1
                    continue
                case 0xC2 where i + 1 < n && bytes[i + 1] == 0xA0:
                    i += 2
                    continue
                case 0xE2, 0xE3, 0xEF:
                    // Valid UTF-8 (the bytes of a `String`): a three-byte scalar.
                    let scalar = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                    switch scalar {
                    case 0xFF01...0xFF5E: out.append(UInt8(scalar - 0xFEE0))
                    case 0x3000, 0x2002, 0x2003, 0x2009, 0x200B: break
                    case 0x2236: out.append(UInt8(ascii: ":"))  // ∶
                    default: out.append(b); out.append(bytes[i + 1]); out.append(bytes[i + 2])
                    }
                    i += 3
                    continue
                default:
                    out.append(b)
                    i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func droppingMonthSpan(_ text: String, into span: inout String?) -> String {
        let chars = Array(text)
        var i = 0
        if text.hasPrefix("截至") || text.hasPrefix("截止") { i = 2 }
        let start = i
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        guard i > start, i - start <= 2 else { return text }
        if i < chars.count, "-—~–至".contains(chars[i]) {
            i += 1
            let second = i
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
            guard i > second, i - second <= 2 else { return text }
        }
        guard i < chars.count, chars[i] == "月" else { return text }
        i += 1
        for suffix in ["份", "底", "末"] where i < chars.count && String(chars[i]) == suffix { i += 1; break }
        guard i < chars.count - 1 else { return text }
        span = String(chars[0..<i])
        return String(chars[i...])
    }

    /// Built once: a `Set` literal in `droppingNumbering` was built (and hashed) per label parsed.
    private static let chineseNumerals: Set<Character> = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    static func droppingNumbering(_ text: String) -> String {
        let chars = Array(text)
        var i = 0
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        if i > 0, i < 3, i < chars.count - 1, chars[i] == "." || chars[i] == "、" { return String(chars[(i + 1)...]) }
        let numerals = chineseNumerals
        i = 0
        while i < chars.count, numerals.contains(chars[i]) { i += 1 }
        if i > 0, i < 3, i < chars.count - 1, chars[i] == "、" { return String(chars[(i + 1)...]) }
        return text
    }

    /// `附表2:2024年…绩效目标表(2023年度)(单位:万元)` → `2024年…绩效目标表`: a leading 附表/附件/表 number
    /// and trailing parenthetical notes (year, unit, number) are not part of the title.
    static func titleCore(_ text: String) -> String {
        var key = text
        for prefix in ["附表", "附件", "表"] where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            let number = rest.prefix { ($0.isASCII && $0.isNumber) || "一二三四五六七八九十-.".contains($0) }
            var after = rest.dropFirst(number.count)
            guard !number.isEmpty else { break }
            if let c = after.first, c == ":" || c == "、" || c == "." { after = after.dropFirst() }
            key = String(after)
            break
        }
        while key.hasSuffix(")") || key.hasSuffix("）"), let open = key.lastIndex(where: { $0 == "(" || $0 == "（" }) {
            key = String(key[..<open])
        }
        return key
    }

    /// A category label's key: notes and scores removed, spaces gone.
    static func categoryKey(_ raw: String) -> String { parse(raw).key }
}

/// What the labels say about the cells of one document, remembered by each cell's UTF-8 bytes:
/// its parsed label (`LabelText.parse`), the fields its key names (`LabelBook`) and the indicator
/// category it names, if any.
///
/// The segmenter, the table reader and the indicator block each ask what the same cells are (every
/// indicator row is asked whether it is the 一级/二级/三级 header): taking the cell apart (even
/// through `LabelMemo`, behind its lock, copying the parsed label) and looking its key up again was
/// ~15 % of loading at 100k projects, and hashing the cell for every question still ~12 % (issue
/// 13, BENCHMARKS.md). A row's cells are looked up once, when it is prepared (`prepare`): the
/// questions about a prepared row's cells are array accesses. One per document, on one thread;
/// the rules stay in `LabelText.parse` and `LabelBook`.
final class CellLabels {
    /// One distinct cell's answers.
    struct Entry {
        /// The parsed label; for a cell `LabelBook.mayName` ruled out, parsed only when asked.
        var label: LabelText?
        let fields: [LabelField]
        /// `LabelBook.level1Category` / `level2Category` of the cell.
        let level1: String?
        let level2: String?
        /// No field and no category: a prepared row's cell of this entry is marked `namesNothing`.
        let namesNothing: Bool

        init(_ label: LabelText, _ labels: LabelBook) {
            self.label = label
            fields = labels.fields(of: label)
            level1 = labels.level1Category(of: label)
            level2 = labels.level2Category(of: label)
            namesNothing = fields.isEmpty && level1 == nil && level2 == nil
        }

        /// A cell that names no field and no category (`LabelBook.mayName` is false).
        init(namingNothing: ()) {
            label = nil
            fields = []
            level1 = nil
            level2 = nil
            namesNothing = true
        }

        /// The entry for a cell of these bytes.
        static func of(_ cell: String, _ bytes: UnsafeRawBufferPointer, _ labels: LabelBook) -> Entry {
            labels.mayName(bytes) ? Entry(LabelText.parse(cell), labels) : Entry(namingNothing: ())
        }
    }

    let labels: LabelBook
    private var memo = ByteTable<Entry>(capacity: 256)
    /// A document of ever-new short cells stops remembering past this many.
    private let capacity = 100_000
    /// The prepared rows' cells, row after row: an index into `memo`, `longCell`, `unremembered`
    /// or `namesNothing` (most cells: no entry to look at for any question but the parsed label).
    private var cellEntries: [Int32] = []
    private static let longCell: Int32 = -1, unremembered: Int32 = -2, namesNothing: Int32 = -3
    private static let nothing = Entry(namingNothing: ())
    /// The answers for a cell too long to be a label (its parsed key is empty) and for an empty cell.
    private let longEntry: Entry
    private let emptyEntry: Entry
    /// `TableSegmenter.titleKind` of the one-cell rows seen, by their bytes (the same title heads every table).
    private var titleKinds = ByteTable<String?>(capacity: 64)

    init(labels: LabelBook) {
        self.labels = labels
        longEntry = Entry(LabelText(key: "", bare: ""), labels)
        emptyEntry = Entry(LabelText.parse(""), labels)
    }

    // MARK: any cell, by its text

    /// The field `cell` names in `zones`, if any.
    func field(_ cell: String, in zones: LabelZone) -> LabelField? {
        cell.withUTF8Bytes { bytes -> LabelField? in
            if bytes.count > LabelText.longestLabelBytes { return longEntry.fields.first { zones.contains($0.zone) } }
            if memo.count >= capacity && memo.find(bytes) == nil {
                return labels.field(LabelText.parse(cell), in: zones)
            }
            let entry = memo.index(bytes) { Entry.of(cell, bytes, labels) }
            return memo.values[entry].fields.first { zones.contains($0.zone) }
        }
    }

    /// `LabelText.parse(cell)`, remembered for the document.
    func label(_ cell: String) -> LabelText {
        cell.withUTF8Bytes { bytes -> LabelText in
            if bytes.count > LabelText.longestLabelBytes || memo.count >= capacity && memo.find(bytes) == nil { return LabelText.parse(cell) }
            let entry = memo.index(bytes) { Entry.of(cell, bytes, labels) }
            return parsedLabel(entry, cell)
        }
    }

    // MARK: prepared rows

    /// The row with its cells trimmed and looked up once.
    func prepare(_ grid: GridRow) -> TableRow {
        var cells = grid.cells
        var firstFilled: Int?
        var filled = 0
        let base = cellEntries.count
        for i in cells.indices {
            if cells[i].needsTrimming { cells[i] = cells[i].trimmed }
            let cell = cells[i]
            // An empty cell's entry is never read (every look-up checks for an empty cell first).
            guard !cell.isEmpty else { cellEntries.append(Self.namesNothing); continue }
            filled += 1
            if firstFilled == nil { firstFilled = i }
            cellEntries.append(cell.withUTF8Bytes { bytes -> Int32 in
                if bytes.count > LabelText.longestLabelBytes { return Self.longCell }
                if memo.count >= capacity && memo.find(bytes) == nil { return Self.unremembered }
                let entry = memo.index(bytes) { Entry.of(cell, bytes, labels) }
                return memo.values[entry].namesNothing ? Self.namesNothing : Int32(entry)
            })
        }
        return TableRow(grid: grid, cells: cells, entryBase: base, firstFilled: firstFilled, filledCount: filled)
    }

    /// Calls `body` with the entry of cell `i` of a prepared row.
    @inline(__always)
    private func withEntry<R>(_ row: TableRow, _ i: Int, _ body: (Entry) -> R) -> R {
        if row.cells[i].isEmpty { return body(emptyEntry) }
        let index = cellEntries[row.entryBase + i]
        if index >= 0 { return body(memo.values[Int(index)]) }
        if index == Self.namesNothing { return body(Self.nothing) }
        if index == Self.longCell { return body(longEntry) }
        return body(Entry(LabelText.parse(row.cells[i]), labels))
    }

    /// The field cell `i` of a prepared row names in `zones`, if any (as `field(row.cells[i], in:)`).
    func field(_ row: TableRow, _ i: Int, in zones: LabelZone) -> LabelField? {
        // Most cells name nothing: answered from the row's code alone.
        if !row.cells[i].isEmpty {
            let index = cellEntries[row.entryBase + i]
            if index == Self.namesNothing { return nil }
            if index >= 0 { return memo.values[Int(index)].fields.first { zones.contains($0.zone) } }
        }
        return withEntry(row, i) { $0.fields.first { zones.contains($0.zone) } }
    }

    /// The parsed label of memo entry `entry` (the cell `cell`), parsing it the first time it is asked.
    private func parsedLabel(_ entry: Int, _ cell: String) -> LabelText {
        if let label = memo.values[entry].label { return label }
        let label = LabelText.parse(cell)
        memo.update(entry) { $0.label = label }
        return label
    }

    /// `LabelText.parse` of cell `i` of a prepared row.
    func label(_ row: TableRow, _ i: Int) -> LabelText {
        let index = row.cells[i].isEmpty ? -3 : cellEntries[row.entryBase + i]
        if index >= 0 { return parsedLabel(Int(index), row.cells[i]) }
        return LabelText.parse(row.cells[i])
    }

    /// `LabelText.squash` of cell `i` of a prepared row (a short cell's parsed label keeps it as `bare`).
    func squashed(_ row: TableRow, _ i: Int) -> String {
        let index = row.cells[i].isEmpty ? -3 : cellEntries[row.entryBase + i]
        if index >= 0, let label = memo.values[Int(index)].label { return label.bare }
        return LabelText.squash(row.cells[i])
    }

    /// Cell `i`'s `LabelBook.level1Category`, `level2Category` and parsed key.
    func category(_ row: TableRow, _ i: Int) -> (level1: String?, level2: String?, key: String) {
        let categories = withEntry(row, i) { ($0.level1, $0.level2) }
        return (categories.0, categories.1, label(row, i).key)
    }

    // MARK: texts as numbers

    /// By bytes first, then by `String` equality (canonical equivalence) for a spelling not seen yet.
    private var numbersByBytes = ByteTable<Int>(capacity: 64)
    private var numbersByText: [String: Int] = [:]

    /// A number for `text`, the same for texts that are equal as `String`s (`==`) and different
    /// for texts that are not: a cheap key for what the readers keep by text (the coverage of
    /// each project's 一级/二级 pairs).
    func textNumber(_ text: String) -> Int {
        text.withUTF8Bytes { bytes -> Int in
            // Only mutating calls on the table: a non-mutating one (`value`) on this class's
            // stored struct copied the whole table first (seven arrays retained and released).
            let entry = numbersByBytes.index(bytes) { -1 }
            var number = -1
            numbersByBytes.update(entry) { stored in
                if stored == -1 {
                    stored = numbersByText[text] ?? numbersByText.count
                    if stored == numbersByText.count { numbersByText[text] = stored }
                }
                number = stored
            }
            return number
        }
    }

    // MARK: indicator headers

    /// Each distinct indicator header's block (`IndicatorBlock.reading`), by the header's cells'
    /// bytes joined with 0xFF (never in UTF-8).
    private var indicatorHeaders = ByteTable<IndicatorBlock>(capacity: 16)
    private var headerKey: [UInt8] = []

    private func keying(_ header: [String]) {
        headerKey.removeAll(keepingCapacity: true)
        for cell in header {
            headerKey.append(contentsOf: cell.utf8)
            headerKey.append(0xFF)
        }
    }

    func indicatorHeader(_ header: [String]) -> IndicatorBlock? {
        keying(header)
        return headerKey.withUnsafeBytes { indicatorHeaders.value($0) }
    }

    /// Lets the remembered blocks go: each holds a context that holds this object, a cycle that
    /// `DocumentParser` breaks when the document is read.
    func forgetIndicatorHeaders() {
        indicatorHeaders = ByteTable(capacity: 16)
    }

    func remember(indicatorHeader header: [String], _ block: IndicatorBlock) {
        guard indicatorHeaders.count < 1_000 else { return }
        keying(header)
        headerKey.withUnsafeBytes { key in _ = indicatorHeaders.index(key) { block } }
    }

    // MARK: titles

    /// `compute(text)` (a title's kind), remembered by the text's bytes for texts of up to 400 bytes.
    func titleKind(_ text: String, compute: (String) -> String?) -> String? {
        text.withUTF8Bytes { bytes -> String? in
            if bytes.count > 400 || titleKinds.count >= capacity && titleKinds.find(bytes) == nil { return compute(text) }
            let entry = titleKinds.index(bytes) { compute(text) }
            return titleKinds.values[entry]
        }
    }
}

/// Label cells already taken apart, shared by the loader's threads (keyed by UTF-8 bytes, which hash
/// without Unicode normalisation). Bounded: it starts afresh past `capacity` entries.
final class LabelMemo: @unchecked Sendable {
    static let shared = LabelMemo()
    private let lock = NSLock()
    /// By the label's bytes, looked up straight from them (no array per look-up).
    private var entries = ByteTable<LabelText>(capacity: 1024)
    private let capacity = 200_000

    func value(for key: UnsafeRawBufferPointer) -> LabelText? {
        lock.lock()
        defer { lock.unlock() }
        return entries.value(key)
    }

    func store(_ value: LabelText, for key: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries = ByteTable(capacity: 1024) }
        _ = entries.index(key) { value }
    }
}

/// UTF-8 bytes as a dictionary key, hashed in one call: `[UInt8]`'s own `Hashable` feeds the
/// hasher one byte at a time (`Hasher._combine(UInt8)` was 6 % of a 100k-project load, 11 % with
/// the lookups around it; BENCHMARKS.md).
struct ByteKey: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { bytes = Array(text.utf8) }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: ByteKey, b: ByteKey) -> Bool { a.bytes == b.bytes }
}
