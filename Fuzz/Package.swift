// swift-tools-version: 6.1
// libFuzzer targets for budgetq's parsers (see FUZZING.md). Built with
// `swift build --sanitize=fuzzer --sanitize=address`: libFuzzer supplies main.
import PackageDescription

let fuzzTarget: (String, [Target.Dependency]) -> Target = { name, dependencies in
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "budgetq-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        fuzzTarget("FuzzDocuments", [.product(name: "BudgetqCore", package: "budgetq")]),
        fuzzTarget("FuzzLedger", [.product(name: "BudgetqCore", package: "budgetq")]),
        fuzzTarget("FuzzQueryParser", [.product(name: "BudgetqCore", package: "budgetq")]),
        fuzzTarget("FuzzQueryExecution", [.product(name: "BudgetqCore", package: "budgetq")]),
    ]
)
