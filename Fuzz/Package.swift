// swift-tools-version: 6.1
// libFuzzer targets for budgetq's parsers (see FUZZING.md). Built with
// `swift build --sanitize=fuzzer --sanitize=address`: libFuzzer supplies main.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where budgetq is checked out.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let fuzzTarget: (String, [Target.Dependency]) -> Target = { name, dependencies in
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "budgetq-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        fuzzTarget("FuzzDocuments", [.product(name: "BudgetqCore", package: parent)]),
        fuzzTarget("FuzzLedger", [.product(name: "BudgetqCore", package: parent)]),
        fuzzTarget("FuzzQueryParser", [.product(name: "BudgetqCore", package: parent)]),
        fuzzTarget("FuzzQueryExecution", [.product(name: "BudgetqCore", package: parent)]),
        fuzzTarget("FuzzOffice", [.product(name: "BudgetqCore", package: parent)]),
    ]
)
