// swift-tools-version: 6.1
// budgetq: an in-memory columnar store and pipeline query language for 项目绩效目标表 budget documents.
import PackageDescription

let package = Package(
    name: "budgetq",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "budgetq", targets: ["budgetq"]),
        // The stages as a library, for the fuzz targets in Fuzz/.
        .library(name: "BudgetqCore", targets: ["BudgetCore", "BudgetDocuments", "BudgetStore", "BudgetQuery", "BudgetRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        // Reads the zip container of .docx/.xlsx files (Office/OfficePackage.swift).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // The shared toolkit every stage may import: exact money and decimals, dates, edit
        // distance, concurrentMap, atomic files, the published/synthetic origin.
        .target(name: "BudgetCore"),
        // Stage 1: documents → records (decoding, table layout, target grammar, diagnostics).
        .target(name: "BudgetDocuments", dependencies: ["BudgetCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Stage 2: records → immutable typed columns.
        .target(name: "BudgetStore", dependencies: ["BudgetCore", "BudgetDocuments"]),
        // Stage 3: query text → tokens → AST → bound plan → column-at-a-time execution.
        .target(name: "BudgetQuery", dependencies: ["BudgetCore", "BudgetStore"]),
        // Stage 4: result columns → text (table, line, csv, tsv, json, markdown, HTML) and xlsx workbooks.
        .target(name: "BudgetRender", dependencies: ["BudgetCore", "BudgetStore", "BudgetQuery", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // The application without a terminal: workspace, scripts, reports, dot commands. What
        // `-c`, `run`, stdin scripts and the benchmark use; it never touches libedit.
        .target(name: "BudgetApp", dependencies: ["BudgetCore", "BudgetDocuments", "BudgetStore", "BudgetQuery", "BudgetRender"]),
        // libedit (BSD line editing), loaded with dlopen by the REPL only; see include/CLibEdit.h.
        .target(name: "CLibEdit", linkerSettings: [.linkedLibrary("dl")]),
        // Stage 5: the interactive shell: line editing, history, completion.
        .target(name: "BudgetShell", dependencies: ["CLibEdit", "BudgetApp", "BudgetQuery", "BudgetRender", "BudgetCore"]),
        // Synthetic data: portfolios in the published layout, payment ledgers, the demo years.
        .target(name: "BudgetGenerate", dependencies: ["BudgetCore", "BudgetDocuments", "BudgetStore"]),
        // The command line: argument parsing and wiring of the stages.
        .executableTarget(
            name: "budgetq",
            dependencies: [
                "BudgetCore", "BudgetDocuments", "BudgetStore", "BudgetRender", "BudgetApp", "BudgetShell", "BudgetGenerate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark runner (bench/run.py drives it); not part of the product. No REPL, no libedit.
        .executableTarget(name: "budgetq-bench", dependencies: ["BudgetApp", "BudgetCore", "BudgetQuery", "BudgetRender", "BudgetStore"]),
        .testTarget(name: "BudgetDocumentsTests", dependencies: ["BudgetCore", "BudgetDocuments"]),
        .testTarget(name: "BudgetStoreTests", dependencies: ["BudgetCore", "BudgetStore", "BudgetDocuments", "BudgetRender"]),
        .testTarget(name: "BudgetQueryTests", dependencies: ["BudgetCore", "BudgetQuery", "BudgetStore", "BudgetDocuments", "BudgetRender", "BudgetApp"]),
        .testTarget(name: "BudgetCLITests", dependencies: ["budgetq", .product(name: "SwiftCSV", package: "SwiftCSV")], exclude: ["golden"]),
    ]
)
