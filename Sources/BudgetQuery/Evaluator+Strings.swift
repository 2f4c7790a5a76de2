import BudgetStore

// Text matching (`has`, `contains`, `startswith`, `endswith`) and list membership (`regions has "铜仁"`).
extension Evaluator {
    func textMatch(_ op: TextOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        func matches(_ s: String, _ needle: String) -> Bool {
            // Every string contains the empty string (Swift's `contains("")` says otherwise).
            if needle.isEmpty { return true }
            switch op {
            case .startswith: return s.hasPrefix(needle)
            case .endswith: return s.hasSuffix(needle)
            case .has, .contains: return s.contains(needle)
            }
        }
        if case .column(let c) = l, case .strings(let codes, let dictionary) = c.data, case .scalar(let s) = r, case .string(let needle) = s.value {
            // Test each dictionary entry once, then map codes.
            let hit = dictionary.map { matches($0, needle) }
            return try boolColumn(perRow { out, rows in
                for i in rows { out[i] = codes[i] == nullCode ? unknownTruth : hit[Int(codes[i])] ? 1 : 0 }
            })
        }
        let a = strings(l), b = strings(r)
        return try boolColumn(perRow { out, rows in
            for i in rows {
                guard let s = a(i), let needle = b(i) else { out[i] = unknownTruth; continue }
                out[i] = matches(s, needle) ? 1 : 0
            }
        })
    }

    func listHas(_ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        guard case .column(let c) = l, case .lists(let offsets, let codes, let dictionary) = c.data else {
            return try boolColumn(rowsOf(unknownTruth))
        }
        let needles = strings(r)
        if case .scalar = r {
            guard let needle = needles(0) else { return try boolColumn(rowsOf(unknownTruth)) }
            let lower = dictionary.lowerBound(needle)
            guard lower < dictionary.count, dictionary[lower] == needle else { return try boolColumn(rowsOf(0)) }
            let code = Int32(lower)
            return try boolColumn(perRow { out, rows in
                for i in rows { out[i] = codes[Int(offsets[i])..<Int(offsets[i + 1])].contains(code) ? 1 : 0 }
            })
        }
        return try boolColumn(perRow { out, rows in
            for i in rows {
                guard let needle = needles(i) else { out[i] = unknownTruth; continue }
                out[i] = codes[Int(offsets[i])..<Int(offsets[i + 1])].contains { dictionary[Int($0)] == needle } ? 1 : 0
            }
        })
    }
}
