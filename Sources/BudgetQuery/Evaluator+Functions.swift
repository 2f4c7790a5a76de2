import BudgetStore

// Scalar functions: round, abs, year, month, len, coalesce, iff.
extension Evaluator {
    func call(_ function: ScalarFunction, _ args: [Operand], _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        switch function {
        case .round:
            let digits: Int
            if args.count > 1, case .scalar(let s) = args[1], case .integer(let d) = s.value { digits = Int(max(0, min(10, d))) } else { digits = 0 }
            let factor = Double(powerOfTen(digits))
            return realColumn(reals(args[0]).map { $0.isNaN ? .nan : ($0 * factor).rounded(.toNearestOrAwayFromZero) / factor }, type: .real)
        case .abs:
            if type == .real { return realColumn(reals(args[0]).map { Swift.abs($0) }, type: .real) }
            return intColumn(try ints(args[0], scale: numericScale(type) ?? 0).map { $0 == nullInteger ? nullInteger : Swift.abs($0) }, type: type)
        case .year, .month:
            let source = args[0].type
            let values = try ints(args[0], scale: 0)
            return intColumn(values.map { v in
                guard v != nullInteger else { return nullInteger }
                let yearMonth = source == .date ? v / 100 : v
                if function == .year { return yearMonth / 100 }
                return source == .date ? yearMonth : yearMonth % 100
            }, type: type)
        case .len:
            if case .column(let c) = args[0], case .lists(let offsets, _, _) = c.data {
                return intColumn((0..<n).map { Int64(offsets[$0 + 1] - offsets[$0]) }, type: .int)
            }
            let s = strings(args[0])
            return intColumn((0..<n).map { s($0).map { Int64($0.count) } ?? nullInteger }, type: .int)
        case .coalesce, .iff:
            let condition = function == .iff ? try boolValues(args[0]) : []
            let (a, b) = function == .iff ? (args[1], args[2]) : (args[0], args[1])
            let first = try converted(a, to: type), second = try converted(b, to: type)
            var picks = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let useFirst = function == .iff ? condition[i] == 1 : !first.isNull(i)
                picks[i] = useFirst ? 0 : 1
            }
            return .column(Column.choosing(picks, first, second, type: type))
        }
    }
}
