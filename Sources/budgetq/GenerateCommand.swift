import BudgetCore
import ArgumentParser
import BudgetDocuments
import BudgetGenerate
import BudgetRender
import Foundation

/// `budgetq generate`: deterministic synthetic data, always labelled as such.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write synthetic portfolios (seed layout) and payment ledgers; every file says it is synthetic.",
        discussion: """
        budgetq generate --projects 1000 --years 2021-2025 --seed 7 --out bench-data/1k
        budgetq generate --demo --out datasets     (the demo years around the real 2024 tables in --data)
        The same seed gives byte-identical files.
        """)

    @Option(help: "Project rows to generate (a project counts once per budget year).")
    var projects: Int = 1000

    @Option(help: "Budget years, e.g. 2021-2025.")
    var years: String = "2021-2025"

    @Option(help: "Random seed: the same seed gives the same files.")
    var seed: UInt64 = 1

    @Option(help: "Folder to write into (created if missing).")
    var out: String

    @Flag(help: "Build the demo years 2021–2023, 2025 and all ledgers from the published tables in --data.")
    var demo = false

    @OptionGroup var data: DataOptions

    func run() throws {
        let files: [SyntheticPortfolio.File]
        if demo {
            let loaded = DocumentLoader.load(paths: [data.directory])
            let real = loaded.projects.filter { $0.origin == .published }
            guard !real.isEmpty else { throw ValidationError("no published tables found in \(data.directory)") }
            files = DemoYears(seed: seed == 1 ? 2024 : seed).files(from: real)
        } else {
            let parts = years.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] <= parts[1], projects > 0 else {
                throw ValidationError("--years expects FIRST-LAST such as 2021-2025, and --projects a positive count")
            }
            files = SyntheticPortfolio(projectRows: projects, years: parts[0]...parts[1], seed: seed).files()
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for file in files {
            try AtomicFile.write(file.text, to: out + "/" + file.path)
        }
        StandardStreams.writeOutput("wrote \(files.count) synthetic files to \(out)\n")
    }
}
