import BudgetQuery

/// The language reference as Markdown — every pipeline operator, function, aggregate and dot
/// command — made from the word tables the parser, binder and REPL use, so it cannot fall behind
/// them. `budgetq reference` prints it; the README holds a copy a test keeps equal.
public enum LanguageReference {
    public static var markdown: String {
        var text = "### Operators\n\n| operator | also | what it does |\n|---|---|---|\n"
        for op in Vocabulary.operators {
            text += "| `\(cell(op.usage))` | \(op.synonyms.map { "`\($0)`" }.joined(separator: " ")) | \(cell(op.help)) |\n"
        }
        text += "\nStatements: `let NAME = QUERY` keeps a result (a one-value result reads as a number); `set NAME = VALUE` sets `$NAME`.\n"
        text += "\n### Functions\n\n| function | result | with null | what it does |\n|---|---|---|---|\n"
        for f in Vocabulary.functions { text += row(f) }
        text += "\n### Aggregates\n\nIn `summarize` (one value per group) and in `derive` (over the whole result: `x / sum(x)` is a share).\n\n"
        text += "| aggregate | result | with null | what it does |\n|---|---|---|---|\n"
        for f in Vocabulary.aggregates { text += row(f) }
        text += "\n### Dot commands\n\n| command | what it does |\n|---|---|\n"
        for command in DotCommands.commands { text += "| `\(cell(command.usage))` | \(cell(command.help)) |\n" }
        return text
    }

    private static func row(_ f: FunctionDoc) -> String {
        "| `\(cell(f.usage))` | \(cell(f.result)) | \(cell(f.nulls)) | \(cell(f.help)) |\n"
    }

    /// Text safe inside a Markdown table cell.
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
