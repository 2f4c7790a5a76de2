// swift-tools-version: 6.1
// budgetq: an in-memory columnar store and pipeline query language for 项目绩效目标表 budget documents.
import PackageDescription

let package = Package(
    name: "budgetq",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "budgetq", targets: ["budgetq"]),
        // The stages as a library, for the fuzz targets in Fuzz/.
        .library(name: "BudgetqCore", targets: ["BudgetDocuments", "BudgetStore", "BudgetQuery", "BudgetRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
    ],
    targets: [
        // Stage 1: documents → records (decoding, table layout, target grammar, diagnostics).
        .target(name: "BudgetDocuments"),
        // Stage 2: records → immutable typed columns.
        .target(name: "BudgetStore", dependencies: ["BudgetDocuments"]),
        // Stage 3: query text → tokens → AST → bound plan → column-at-a-time execution.
        .target(name: "BudgetQuery", dependencies: ["BudgetStore", "BudgetDocuments"]),
        // Stage 4: result columns → text (table, csv, tsv, json, markdown).
        .target(name: "BudgetRender", dependencies: ["BudgetStore", "BudgetQuery", "BudgetDocuments"]),
        // libedit (BSD line editing) through its C headers; see shim.h.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Stage 5: the interactive shell: line editing, history, completion, dot commands.
        .target(name: "BudgetShell", dependencies: ["CLibEdit", "BudgetQuery", "BudgetRender", "BudgetStore", "BudgetDocuments"]),
        // Synthetic data: portfolios in the published layout, payment ledgers, the demo years.
        .target(name: "BudgetGenerate", dependencies: ["BudgetDocuments"]),
        // The command line: argument parsing and wiring of the stages.
        .executableTarget(
            name: "budgetq",
            dependencies: [
                "BudgetDocuments", "BudgetStore", "BudgetQuery", "BudgetRender", "BudgetShell", "BudgetGenerate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark runner (bench/run.py drives it); not part of the product.
        .executableTarget(name: "budgetq-bench", dependencies: ["BudgetShell", "BudgetQuery", "BudgetRender", "BudgetStore"]),
        .testTarget(name: "BudgetDocumentsTests", dependencies: ["BudgetDocuments"]),
        .testTarget(name: "BudgetStoreTests", dependencies: ["BudgetStore", "BudgetDocuments", "BudgetRender"]),
        .testTarget(name: "BudgetQueryTests", dependencies: ["BudgetQuery", "BudgetStore", "BudgetDocuments", "BudgetRender"]),
        .testTarget(name: "BudgetCLITests", dependencies: ["budgetq", .product(name: "SwiftCSV", package: "SwiftCSV")], exclude: ["golden"]),
    ]
)
