import BudgetCore
import ArgumentParser
import BudgetApp

/// `budgetq reference`: every operator, function, aggregate and dot command, as Markdown.
struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the query language reference (operators, functions with result types and null rules, dot commands) as Markdown.",
        discussion: "Made from the tables the parser and the REPL use; the README's copy is this output (make reference).")

    func run() throws {
        StandardStreams.writeOutput(LanguageReference.markdown)
    }
}
