import BudgetDocuments
let loaded = DocumentLoader.load(paths: Array(CommandLine.arguments.dropFirst()))
for d in loaded.diagnostics { print(d) }
for p in loaded.projects { print(p.year, p.name, p.budgetFen, p.regions, p.indicators.count, p.coverage.count) ; for i in p.indicators { print("   ", i.level1, i.level2, i.name, i.annualTarget, "→", i.reading) } }
