import BudgetStore

// Comparisons: `==`, `<` … between columns and constants, typed and null-aware.
extension Evaluator {
    func compare(_ comparison: ComparisonOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        guard let lt = l.type, let rt = r.type else { return try boolColumn(rowsOf(unknownTruth)) }
        if lt.isNumeric && rt.isNumeric && (lt == .real || rt == .real) {
            let a = try reals(l), b = try reals(r)
            return try boolColumn(perRow { out, rows in
                for i in rows { out[i] = a[i].isNaN || b[i].isNaN ? unknownTruth : comparison.test(a[i], b[i]) ? 1 : 0 }
            })
        }
        if lt.isInteger && rt.isInteger {
            let scale = max(numericScale(lt) ?? 0, numericScale(rt) ?? 0)
            // Column against a constant: the common case of `where`; no broadcast of the constant.
            if case .scalar(let s) = r, case .integer(let raw) = s.value {
                let a = try ints(l, scale: scale)
                let (c, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(scale - (numericScale(rt) ?? 0)))
                if overflow { throw EvaluationFailure(message: "a number is too large to compare exactly") }
                return try boolColumn(compareToConstant(comparison, a, c))
            }
            let a = try ints(l, scale: scale), b = try ints(r, scale: scale)
            return try boolColumn(perRow { out, rows in
                for i in rows {
                    out[i] = a.nulls.isNull(i) || b.nulls.isNull(i) ? unknownTruth : comparison.test(a.values[i], b.values[i]) ? 1 : 0
                }
            })
        }
        // Strings: a dictionary column against a constant compares codes (the dictionary is sorted).
        if case .column(let c) = l, case .strings(let codes, let dictionary) = c.data, case .scalar(let s) = r, case .string(let text) = s.value {
            let lower = dictionary.lowerBound(text)
            let exact = lower < dictionary.count && dictionary[lower] == text
            let code = Int32(lower)
            return try boolColumn(perRow { out, rows in
                for i in rows {
                    let k = codes[i]
                    guard k != nullCode else { out[i] = unknownTruth; continue }
                    let result: Bool
                    switch comparison {
                    case .equal: result = exact && k == code
                    case .notEqual: result = !(exact && k == code)
                    case .less: result = k < code
                    case .lessOrEqual: result = k < code || (exact && k == code)
                    case .greater: result = exact ? k > code : k >= code
                    case .greaterOrEqual: result = k >= code
                    }
                    out[i] = result ? 1 : 0
                }
            })
        }
        let a = strings(l), b = strings(r)
        return try boolColumn(perRow { out, rows in
            for i in rows {
                guard let x = a(i), let y = b(i) else { out[i] = unknownTruth; continue }
                out[i] = comparison.test(x.utf8Ordered, y.utf8Ordered) ? 1 : 0
            }
        })
    }

    func compareToConstant(_ op: ComparisonOperator, _ values: IntValues, _ c: Int64) throws(EvaluationFailure) -> [Int64] {
        var out: [Int64] = try perRow(values.values.count) { out, rows in
            values.values.withUnsafeBufferPointer { a in
                // One loop per operator; null rows are marked after.
                switch op {
                case .equal: for i in rows { out[i] = a[i] == c ? 1 : 0 }
                case .notEqual: for i in rows { out[i] = a[i] != c ? 1 : 0 }
                case .less: for i in rows { out[i] = a[i] < c ? 1 : 0 }
                case .lessOrEqual: for i in rows { out[i] = a[i] <= c ? 1 : 0 }
                case .greater: for i in rows { out[i] = a[i] > c ? 1 : 0 }
                case .greaterOrEqual: for i in rows { out[i] = a[i] >= c ? 1 : 0 }
                }
            }
        }
        if values.nulls.hasNulls {
            try eachChunk(out.count) { rows in for i in rows where values.nulls.isNull(i) { out[i] = unknownTruth } }
        }
        return out
    }
}
