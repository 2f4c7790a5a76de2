import BudgetCore
import BudgetQuery

/// Runs a script: query statements, and dot commands on lines of their own.
///
/// Query text between dot commands is parsed as one chunk, padded so that every error names the
/// line of the file it sits on. After Ctrl-C (`Interrupt`) no further statement runs.
struct ScriptRunner {
    let workspace: Workspace
    let file: String
    let stopAtFirstError: Bool

    func run(_ text: String) -> [Int] {
        var failed: [Int] = []
        var chunk: [String] = []
        var chunkStart = 1
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        func flush() -> Bool {
            defer { chunk = [] }
            guard chunk.contains(where: { !$0.trimmingCharacters().isEmpty }) else { return true }
            let source = String(repeating: "\n", count: chunkStart - 1) + chunk.joined(separator: "\n")
            for result in QuerySession.parseRecovering(source) {
                switch result {
                case .failure(let error):
                    workspace.standardError(error.rendered(source: source, file: file) + "\n")
                    failed.append(error.span.line)
                    if stopAtFirstError { return false }
                case .success(let statement):
                    if Interrupt.isRequested {
                        failed.append(statement.line)
                        return false
                    }
                    if !workspace.execute(statement, source: source, file: file) {
                        failed.append(statement.line)
                        if stopAtFirstError || Interrupt.isRequested { return false }
                    }
                }
            }
            return true
        }

        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let trimmed = line.trimmingCharacters()
            if trimmed.hasPrefix("."), chunkIsComplete(chunk) {
                if !flush() { return failed }
                chunkStart = number + 1
                if Interrupt.isRequested {
                    failed.append(number)
                    return failed
                }
                let ok = DotCommands.run(trimmed, workspace: workspace, file: file, line: number)
                if !ok {
                    failed.append(number)
                    if stopAtFirstError { return failed }
                }
                continue
            }
            if chunk.isEmpty { chunkStart = number }
            chunk.append(line)
        }
        _ = flush()
        return failed
    }

    /// A dot command may only start where no statement is half-written.
    private func chunkIsComplete(_ chunk: [String]) -> Bool {
        !Continuation.needsMoreLines(chunk.joined(separator: "\n"))
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
