import BudgetRender
import BudgetStore

enum BudgetRenderCSV {
    static func csv(_ table: Table) -> String { DelimitedWriter.csv(table) }
}
