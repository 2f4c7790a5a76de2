import BudgetStore

// Text matching (`has`, `contains`, `startswith`, `endswith`) and list membership (`regions has "铜仁"`).
extension Evaluator {
    func textMatch(_ op: TextOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        func matches(_ s: String, _ needle: String) -> Bool {
            // Every string contains the empty string (Swift's `contains("")` says otherwise).
            if needle.isEmpty { return true }
            switch op {
            case .startswith: return s.hasPrefix(needle)
            case .endswith: return s.hasSuffix(needle)
            case .has, .contains: return s.contains(needle)
            }
        }
        var out = [Int64](repeating: unknownTruth, count: n)
        if case .column(let c) = l, case .strings(let codes, let dictionary) = c.data, case .scalar(let s) = r, case .string(let needle) = s.value {
            // Test each dictionary entry once, then map codes.
            let hit = dictionary.map { matches($0, needle) }
            for i in 0..<n where codes[i] != nullCode { out[i] = hit[Int(codes[i])] ? 1 : 0 }
            return boolColumn(out)
        }
        let a = strings(l), b = strings(r)
        for i in 0..<n {
            guard let s = a(i), let needle = b(i) else { continue }
            out[i] = matches(s, needle) ? 1 : 0
        }
        return boolColumn(out)
    }

    func listHas(_ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        guard case .column(let c) = l, case .lists(let offsets, let codes, let dictionary) = c.data else {
            return boolColumn([Int64](repeating: unknownTruth, count: n))
        }
        let needles = strings(r)
        var out = [Int64](repeating: 0, count: n)
        if case .scalar = r {
            guard let needle = needles(0) else { return boolColumn([Int64](repeating: unknownTruth, count: n)) }
            let lower = dictionary.lowerBound(needle)
            guard lower < dictionary.count, dictionary[lower] == needle else { return boolColumn(out) }
            let code = Int32(lower)
            for i in 0..<n where codes[Int(offsets[i])..<Int(offsets[i + 1])].contains(code) { out[i] = 1 }
            return boolColumn(out)
        }
        for i in 0..<n {
            guard let needle = needles(i) else { out[i] = unknownTruth; continue }
            out[i] = codes[Int(offsets[i])..<Int(offsets[i + 1])].contains { dictionary[Int($0)] == needle } ? 1 : 0
        }
        return boolColumn(out)
    }
}
