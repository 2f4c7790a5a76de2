import BudgetCore
import BudgetDocuments
import BudgetQuery
import BudgetRender
import BudgetStore
import Foundation

/// The REPL's dot commands as a table (name, usage, help, handler); `.help` is generated from it.
public enum DotCommands {
    /// What a dot command asks of the caller.
    public enum Outcome { case ok, failed, quit }

    struct Command: Sendable {
        var name: String
        var usage: String
        var help: String
        var handler: @Sendable (_ arguments: [String], _ workspace: Workspace, _ report: (String) -> Void) -> Outcome
    }

    static let commands: [Command] = [
        Command(name: ".help", usage: ".help [COMMAND]", help: "List the dot commands, or explain one.") { args, ws, report in
            if let name = args.first {
                let wanted = name.hasPrefix(".") ? name : "." + name
                guard let command = commands.first(where: { $0.name == wanted }) else {
                    report("no dot command `\(name)`; .help lists them")
                    return .failed
                }
                ws.standardOutput("\(command.usage)\n    \(command.help)\n")
                return .ok
            }
            let width = commands.map { $0.usage.count }.max() ?? 0
            var text = commands.map { $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.help }.joined(separator: "\n")
            text += "\n\nQueries: a table, then |-separated operators, e.g.\n"
            text += "  projects | where year == 2024 | summarize total = sum(budget), n = count() by type | sort by total desc\n"
            text += "\nOperators:\n"
            let usageWidth = Vocabulary.operators.map(\.usage.count).max() ?? 0
            for op in Vocabulary.operators {
                text += "  " + op.usage.padding(toLength: usageWidth + 2, withPad: " ", startingAt: 0) + op.help + "\n"
            }
            text += "Statements: let NAME = QUERY; set NAME = VALUE\n"
            text += "Aggregates: " + Vocabulary.aggregateNames.joined(separator: " ") + "\n"
            // Wrapped to fit a narrow terminal: one line of usages is 200 characters.
            var line = "Functions:"
            for usage in Vocabulary.functions.map(\.usage) {
                if line.count + usage.count + 2 > 96 { text += line + "\n"; line = "          " }
                line += "  " + usage
            }
            text += line + "\n"
            text += "(budgetq reference lists each with its result type and what it does with null.)\n"
            text += "A line ending in | continues; Tab completes tables, columns, operators and values; Ctrl-R searches history.\n"
            ws.standardOutput(text)
            return .ok
        },
        Command(name: ".tables", usage: ".tables", help: "List tables and let results, with row counts.") { _, ws, _ in
            var text = ""
            for table in ws.session.store.tables {
                text += "\(table.name) (\(table.aliases.joined(separator: ", ")))  \(table.rowCount) rows\n"
            }
            for name in ws.session.letNames { text += "\(name)  (let)\n" }
            ws.standardOutput(text)
            return .ok
        },
        Command(name: ".schema", usage: ".schema [TABLE]", help: "Show the columns of one table, or of all, with types and Chinese aliases.") { args, ws, report in
            let names = args.isEmpty ? ws.session.store.tableNames : args
            var text = ""
            for name in names {
                guard let columns = ws.session.columns(of: name) else {
                    report("no table `\(name)`; .tables lists them")
                    return .failed
                }
                text += "\(name):\n"
                let width = columns.map { $0.name.count }.max() ?? 0
                for c in columns {
                    let aliases = c.aliases.isEmpty ? "" : "  " + c.aliases.joined(separator: ", ")
                    text += "  " + c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.type.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + aliases + "\n"
                }
            }
            ws.standardOutput(text)
            return .ok
        },
        Command(name: ".load", usage: ".load PATH", help: "Load more documents (a file or a folder, read recursively).") { args, ws, report in
            guard let path = args.first else { report(".load needs a file or folder"); return .failed }
            guard FileManager.default.fileExists(atPath: path) else { report("no such file or folder: \(path)"); return .failed }
            do {
                ws.standardOutput(try ws.load(path) + "\n")
                return .ok
            } catch {
                report("\(error)")
                return .failed
            }
        },
        Command(name: ".save", usage: ".save FILE", help: "Write the loaded tables to a binary snapshot (reopen with .open or --snapshot).") { args, ws, report in
            guard let path = args.first else { report(".save needs a file name"); return .failed }
            return timed("saved \(path)", ws, report) { try ws.save(path) }
        },
        Command(name: ".open", usage: ".open FILE", help: "Replace the loaded data with a snapshot written by .save.") { args, ws, report in
            guard let path = args.first else { report(".open needs a snapshot file"); return .failed }
            return timed("opened \(path)", ws, report) { try ws.open(path) }
        },
        Command(name: ".sources", usage: ".sources", help: "List loaded files: kind, published or synthetic, encoding, years, rows.") { _, ws, _ in
            var text = ""
            let cached = ws.loaded?.cachedSources ?? []
            for source in ws.session.store.sources {
                let years = source.years.map(String.init).joined(separator: ",")
                text += "\(source.origin.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(source.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(source.encoding.padding(toLength: 15, withPad: " ", startingAt: 0)) years \(years.isEmpty ? "-" : years)  \(source.rows) rows  \(source.path)"
                    + (cached.contains(source.path) ? "  (from the cache)" : "") + "\n"
            }
            let published = ws.session.store.sources.filter { $0.origin == .published }.count
            text += "\(published) published (real) and \(ws.session.store.sources.count - published) synthetic (generated) files\n"
            if !cached.isEmpty {
                text += "\(cached.count) of \(ws.session.store.sources.count) files from the cache (unchanged since it was written); the others were read now\n"
            }
            ws.standardOutput(text)
            return .ok
        },
        Command(name: ".mode", usage: ".mode " + OutputFormat.allCases.map(\.rawValue).joined(separator: "|"), help: "Choose how results are printed (line: one `column = value` a line).") { args, ws, report in
            guard let name = args.first else { ws.standardOutput("mode: \(ws.renderer.format.rawValue)\n"); return .ok }
            if name == "xlsx" {
                report(".mode xlsx: a workbook is a file; use .output FILE.xlsx (a sheet per result), or budgetq run … --out FILE.xlsx")
                return .failed
            }
            guard let format = OutputFormat(rawValue: name) ?? (name == "box" ? .table : nil) else {
                report(".mode expects one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                return .failed
            }
            ws.renderer.format = format
            return .ok
        },
        Command(name: ".unit", usage: ".unit 分|元|万元|亿元", help: "Show money in whole fen, yuan, 10,000 yuan or 100 million yuan (table and markdown).") { args, ws, report in
            guard let name = args.first else { ws.standardOutput("unit: \(ws.renderer.moneyUnit.rawValue)\n"); return .ok }
            guard let unit = MoneyUnit(rawValue: name) else {
                report(".unit expects 分, 元, 万元 or 亿元")
                return .failed
            }
            ws.renderer.moneyUnit = unit
            return .ok
        },
        Command(name: ".output", usage: ".output [FILE|stdout] [--no-bom]", help: "Send results to FILE (written atomically; FILE.xlsx is a workbook, a sheet per result; CSV starts with a UTF-8 BOM unless --no-bom), or back to the terminal (no FILE, or stdout).") { args, ws, _ in
            ws.setOutput(args.first { $0 != "--no-bom" })
            ws.byteOrderMark = !args.contains("--no-bom")
            return .ok
        },
        Command(name: ".once", usage: ".once FILE", help: "Send the next result only to FILE (written atomically).") { args, ws, report in
            guard let path = args.first else { report(".once needs a file name, e.g. .once result.csv"); return .failed }
            ws.oncePath = path
            return .ok
        },
        Command(name: ".headers", usage: ".headers on|off", help: "Print the header line of table, csv, tsv and markdown results (default on).") { args, ws, report in
            guard let value = args.first else { ws.standardOutput("headers: \(ws.headers ? "on" : "off")\n"); return .ok }
            guard value == "on" || value == "off" else { report(".headers expects on or off"); return .failed }
            ws.headers = value == "on"
            return .ok
        },
        Command(name: ".nullvalue", usage: ".nullvalue TEXT", help: "Print TEXT for a missing value in table, line, csv and tsv results (default: nothing).") { args, ws, _ in
            guard !args.isEmpty else { ws.standardOutput("nullvalue: \"\(ws.renderer.nullText)\"\n"); return .ok }
            let text = args.joined(separator: " ")
            ws.renderer.nullText = text == "\"\"" ? "" : text
            return .ok
        },
        Command(name: ".maxrows", usage: ".maxrows N", help: "Most rows printed in table mode (the rest are counted); default 1000.") { args, ws, report in
            guard let text = args.first else { ws.standardOutput("maxrows: \(ws.renderer.maxRows)\n"); return .ok }
            guard let n = Int(text), n > 0 else { report(".maxrows expects a positive number"); return .failed }
            ws.renderer.maxRows = n
            return .ok
        },
        Command(name: ".maxwidth", usage: ".maxwidth N", help: "Fit table mode in N cells (0: no limit; default the terminal's width, none for files and pipes).") { args, ws, report in
            guard let text = args.first else { ws.standardOutput("maxwidth: \(ws.renderer.maxWidth.map(String.init) ?? "the terminal's (\(ws.renderer.terminalWidth.map(String.init) ?? "none"))")\n"); return .ok }
            guard let n = Int(text), n >= 0 else { report(".maxwidth expects a width in cells, or 0 for no limit"); return .failed }
            ws.renderer.maxWidth = n
            return .ok
        },
        Command(name: ".pager", usage: ".pager on|off", help: "Show results longer than the screen through $PAGER (default less -SR), as DuckDB's shell does; off by default.") { args, ws, report in
            guard let value = args.first, value == "on" || value == "off" else { report(".pager expects on or off"); return .failed }
            if value == "on" && ws.pager == nil { report(".pager works at the interactive prompt only"); return .failed }
            ws.pagerEnabled = value == "on"
            return .ok
        },
        Command(name: ".last", usage: ".last", help: "Show the last result again in full: every row, every column whole (through the pager when on).") { _, ws, report in
            guard let result = ws.lastResult else { report("no result yet: .last shows the last query's result again"); return .failed }
            var renderer = ws.rendererForOutput
            renderer.terminalWidth = nil
            renderer.maxWidth = 0
            renderer.maxRows = Int.max
            renderer.maxCellWidth = 1_000_000
            if renderer.format.isDocument { renderer.format = .table }
            ws.emit(renderer.render(result))
            return .ok
        },
        Command(name: ".timer", usage: ".timer on|off", help: "Print how long each query takes.") { args, ws, report in
            guard let value = args.first else { ws.standardOutput("timer: \(ws.timer ? "on" : "off")\n"); return .ok }
            guard value == "on" || value == "off" else { report(".timer expects on or off"); return .failed }
            ws.timer = value == "on"
            return .ok
        },
        Command(name: ".read", usage: ".read FILE", help: "Run the statements and dot commands in FILE.") { args, ws, report in
            guard let path = args.first else { report(".read needs a file"); return .failed }
            // As sqlite3 does: a script that reads itself (or a deep chain) stops at 25 levels, not the stack's end.
            guard ws.readDepth < Workspace.maxReadDepth else {
                report(".read nests more than \(Workspace.maxReadDepth) levels deep (does \(path) read itself?); not read")
                return .failed
            }
            guard let data = FileManager.default.contents(atPath: path) else { report("cannot read \(path)"); return .failed }
            ws.readDepth += 1
            defer { ws.readDepth -= 1 }
            let failures = ws.runScript(String(decoding: data, as: UTF8.self), file: path, stopAtFirstError: true)
            return failures.isEmpty ? .ok : .failed
        },
        Command(name: ".set", usage: ".set NAME VALUE", help: "Set the parameter $NAME (2024-06 is a month, 2024 a number, else text).") { args, ws, report in
            guard args.count >= 2 else { report(".set needs a name and a value, e.g. .set month 2024-06"); return .failed }
            ws.session.setParameter(args[0].hasPrefix("$") ? String(args[0].dropFirst()) : args[0], text: args.dropFirst().joined(separator: " "))
            return .ok
        },
        Command(name: ".param", usage: ".param list|set NAME VALUE|unset NAME|clear", help: "List, set or remove the $parameters queries read.") { args, ws, report in
            switch args.first ?? "list" {
            case "list":
                let values = ws.session.parameterTexts
                ws.standardOutput(values.isEmpty ? "no parameters set (.param set month 2024-06)\n" : values.map { "$\($0.name) = \($0.text)\n" }.joined())
            case "set":
                guard args.count >= 3 else { report(".param set needs a name and a value, e.g. .param set month 2024-06"); return .failed }
                ws.session.setParameter(args[1].hasPrefix("$") ? String(args[1].dropFirst()) : args[1], text: args.dropFirst(2).joined(separator: " "))
            case "unset":
                guard args.count == 2 else { report(".param unset needs a name, e.g. .param unset month"); return .failed }
                let name = args[1].hasPrefix("$") ? String(args[1].dropFirst()) : args[1]
                guard ws.session.unsetParameter(name) else { report("no parameter $\(name); .param list shows them"); return .failed }
            case "clear":
                for p in ws.session.parameterNames { _ = ws.session.unsetParameter(p) }
            default:
                report(".param takes list, set NAME VALUE, unset NAME or clear")
                return .failed
            }
            return .ok
        },
        Command(name: ".show", usage: ".show", help: "Show every setting: mode, headers, nullvalue, unit, output, maxrows, maxwidth, timer, parameters, data.") { _, ws, _ in
            let r = ws.renderer
            var text = ""
            func line(_ name: String, _ value: String) { text += name.padding(toLength: 11, withPad: " ", startingAt: 0) + value + "\n" }
            line("mode", r.format.rawValue)
            line("headers", ws.headers ? "on" : "off")
            line("nullvalue", "\"\(r.nullText)\"")
            line("unit", r.moneyUnit.rawValue)
            line("output", ws.outputPath ?? "stdout")
            line("maxrows", String(r.maxRows))
            line("maxwidth", r.maxWidth.map(String.init) ?? "the terminal's")
            line("timer", ws.timer ? "on" : "off")
            line("parameters", ws.session.parameterTexts.map { "$\($0.name) = \($0.text)" }.joined(separator: ", "))
            line("data", ws.snapshotPath.map { "snapshot \($0)" } ?? ws.paths.joined(separator: ", "))
            ws.standardOutput(text)
            return .ok
        },
        Command(name: ".quit", usage: ".quit", help: "Leave budgetq (also .exit, or Ctrl-D on an empty line).") { _, _, _ in .quit },
        Command(name: ".exit", usage: ".exit", help: "Leave budgetq.") { _, _, _ in .quit },
    ]

    /// What to use instead of the sqlite3 and DuckDB shells' commands budgetq lacks.
    static let alternatives: [String: String] = [
        ".import": "add a ledger (.csv or .xlsx) or document to the data folder, or .load FILE",
        ".dump": "use .save FILE for a snapshot, or `budgetq export TABLE` for CSV",
        ".backup": "use .save FILE (a snapshot; reopen it with .open FILE)",
        ".restore": "use .open FILE (a snapshot written by .save)",
        ".databases": "use .sources (the loaded files) or .tables",
        ".indexes": "budgetq keeps no indexes; .schema TABLE lists the columns",
        ".indices": "budgetq keeps no indexes; .schema TABLE lists the columns",
        ".width": "use .maxwidth N (the whole table's width in cells)",
        ".separator": "use .mode csv or .mode tsv",
        ".excel": "use .once FILE.csv (or `budgetq -c … --format xlsx` where available)",
        ".bail": "use `budgetq -bail` on the command line; .read stops at the first error",
        ".print": "comments start with #; results are titled by the comment above them in `budgetq run`",
        ".echo": "scripts name the failing line in every error",
        ".explain": "budgetq shows no plans; .timer on times each query",
        ".eqp": "budgetq shows no plans; .timer on times each query",
        ".stats": "use .timer on",
        ".system": "budgetq runs no shell commands",
        ".shell": "budgetq runs no shell commands",
        ".cd": "budgetq runs no shell commands; .load and .read take paths",
        ".prompt": "the prompt is fixed",
        ".parameter": "use .param list|set NAME VALUE|unset NAME",
        ".columns": "use .mode line (one `column = value` a line)",
        ".header": "use .headers on|off",
        ".null": "use .nullvalue TEXT",
        ".log": "use .output FILE",
        ".changes": "budgetq never changes the documents it reads",
    ]

    /// Names for completion.
    public static var names: [String] { commands.map(\.name) }

    /// Runs one dot-command line; problems are reported as FILE:LINE: error: ….
    @discardableResult
    public static func run(_ line: String, workspace: Workspace, file: String, line number: Int) -> Bool {
        outcome(line, workspace: workspace, file: file, line: number) != .failed
    }

    public static func outcome(_ line: String, workspace: Workspace, file: String, line number: Int) -> Outcome {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first else { return .ok }
        let report: (String) -> Void = { workspace.standardError("\(file):\(number): error: \($0)\n") }
        guard let command = commands.first(where: { $0.name == name }) else {
            if let alternative = alternatives[name] {
                report("budgetq has no `\(name)`; \(alternative)")
                return .failed
            }
            let close = names.min { editDistance(Array(name), Array($0)) < editDistance(Array(name), Array($1)) }
            if let close, editDistance(Array(name), Array(close)) <= 2 {
                report("unknown command `\(name)`; did you mean `\(close)`? (.help lists them)")
            } else {
                report("unknown command `\(name)`; .help lists them")
            }
            return .failed
        }
        return command.handler(Array(words.dropFirst()), workspace, report)
    }

    /// Runs `work`, then says what was done and how long it took, or reports the error.
    private static func timed(_ done: String, _ ws: Workspace, _ report: (String) -> Void, _ work: () throws -> Void) -> Outcome {
        let start = DispatchTime.now()
        do {
            try work()
        } catch {
            report("\(error)")
            return .failed
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        ws.standardOutput("\(done) in \(String(format: "%.2f", seconds)) s\n")
        return .ok
    }
}
