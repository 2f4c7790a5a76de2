import BudgetStore

/// Output formats for results and exports.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, line, csv, tsv, json, markdown, html, xlsx

    /// Formats made to hand on to people: Chinese headers and labels, percentages, `—` for absent.
    public var isReport: Bool { self == .markdown || self == .html || self == .xlsx }

    /// Formats written once for a whole run (every result in one document), not per result.
    public var isDocument: Bool { self == .html || self == .xlsx }

    /// The format a file name asks for (`memo.xlsx`), if its extension names one.
    public init?(fileName: String) {
        guard let dot = fileName.lastIndex(of: "."), !fileName[dot...].contains("/") else { return nil }
        switch fileName[fileName.index(after: dot)...].lowercased() {
        case "csv": self = .csv
        case "tsv", "tab": self = .tsv
        case "json": self = .json
        case "md", "markdown": self = .markdown
        case "html", "htm": self = .html
        case "xlsx": self = .xlsx
        case "txt": self = .table
        default: return nil
        }
    }
}

/// Writes a table as RFC 4180 CSV, TSV or JSON, with full, exact values.
public enum DelimitedWriter {
    public static func csv(_ table: Table, null: String = "") -> String { delimited(table, separator: ",", null: null, quote: csvQuote) }

    /// TSV has no quoting: tabs and newlines inside values become spaces.
    public static func tsv(_ table: Table, null: String = "") -> String {
        delimited(table, separator: "\t", null: null) { value in
            String(value.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }
    }

    private static func csvQuote(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingQuotes() + "\""
    }

    private static func delimited(_ table: Table, separator: String, null: String = "", quote: (String) -> String) -> String {
        let formatter = CellFormatter(forPeople: false)
        var out = table.columns.map { quote($0.name) }.joined(separator: separator) + "\r\n"
        for row in 0..<table.rowCount {
            out += table.columns.map { quote(formatter.text($0, row) ?? null) }.joined(separator: separator)
            out += "\r\n"
        }
        return out
    }

    /// A JSON array of objects; money and decimals are exact JSON numbers, lists are arrays, null is null.
    public static func json(_ table: Table) -> String {
        let formatter = CellFormatter(forPeople: false)
        var out = "[\n"
        for row in 0..<table.rowCount {
            var fields: [String] = []
            for column in table.columns {
                fields.append("\(jsonString(column.name)): \(jsonValue(column, row, formatter))")
            }
            out += "  {" + fields.joined(separator: ", ") + "}" + (row + 1 < table.rowCount ? ",\n" : "\n")
        }
        return out + "]\n"
    }

    /// One value as JSON: exact numbers, arrays for lists, strings, null.
    static func jsonValue(_ column: Column, _ row: Int, _ formatter: CellFormatter) -> String {
        if case .lists(let offsets, let codes, let dictionary) = column.data {
            return "[" + codes[Int(offsets[row])..<Int(offsets[row + 1])].map { jsonString(dictionary[Int($0)]) }.joined(separator: ",") + "]"
        }
        guard let text = formatter.text(column, row) else { return "null" }
        let isNumber = column.type.isNumeric && !(column.type == .real && (text == "inf" || text == "-inf"))
        return isNumber || column.type == .bool ? text : jsonString(text)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    func replacingQuotes() -> String {
        var out = ""
        for c in self { if c == "\"" { out += "\"\"" } else { out.append(c) } }
        return out
    }
}
