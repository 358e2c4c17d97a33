/// Checks decoded rows against a source's column expectations on the ingest hot path, and tallies what it saw.
///
/// Row rules with `action: quarantine` are checked first, in the order written; the first that fails sends the
/// row to quarantine with that expectation as the reason. Rows that pass them are accepted and counted against
/// the `warn` rules and the `mostly` rate rules. A null satisfies every rule but `not_null`, and is not counted
/// in the share of a rate rule other than `not_null`.
///
/// ```swift
/// var checker = try RowChecker(source)
/// if let failure = checker.check(decoder.values) { quarantine(reason: failure.reason) }
/// let results = checker.results()
/// ```
public struct RowChecker: Sendable {
    public let expectations: [ColumnExpectation]
    let quarantining: [CompiledRule]
    let counted: [CompiledRule]
    /// Per expectation: rows that failed it, and rows it judged.
    private(set) var failures: [Int64]
    private(set) var judged: [Int64]
    public private(set) var rowsChecked: Int64 = 0
    public private(set) var rowsQuarantined: Int64 = 0

    /// Compiles the column rules of a validated source (patterns compiled once, `in` lists as sets).
    ///
    /// - Throws: `DefinitionErrors` when a rule does not fit the schema; definitions that loaded never do.
    public init(_ source: SourceDefinition) throws(DefinitionErrors) {
        let expectations = source.expectations?.columns ?? []
        var rules: [CompiledRule] = []
        var problems: [Diagnostic] = []
        for (index, expectation) in expectations.enumerated() {
            guard let column = source.columns.firstIndex(where: { $0.name == expectation.column }) else {
                problems.append(Diagnostic("expectation `\(expectation)` names unknown column `\(expectation.column)`", at: nil))
                continue
            }
            do {
                rules.append(CompiledRule(expectation: index, column: column, test: try RowTest(expectation.rule, type: source.columns[column].type)))
            } catch {
                problems.append(Diagnostic("expectation `\(expectation)`: \(error)", at: nil))
            }
        }
        guard problems.isEmpty else { throw DefinitionErrors(problems) }
        self.expectations = expectations
        quarantining = rules.filter { !expectations[$0.expectation].isRateRule && expectations[$0.expectation].action == .quarantine }
        counted = rules.filter { expectations[$0.expectation].isRateRule || expectations[$0.expectation].action == .warn }
        failures = Array(repeating: 0, count: expectations.count)
        judged = Array(repeating: 0, count: expectations.count)
    }

    /// Checks one row (values in schema order). Returns the failed expectation when the row must go to
    /// quarantine, nil when it is accepted.
    @inline(__always)
    public mutating func check(_ values: [Value]) -> ExpectationFailure? {
        rowsChecked += 1
        // Rules are read in place through buffer pointers: iterating the arrays would copy each rule per row.
        let quarantining = self.quarantining, counted = self.counted
        let failed = quarantining.withUnsafeBufferPointer { rules -> Int? in
            for index in rules.indices {
                judged[rules[index].expectation] += 1
                if !rules[index].test.holds(values[rules[index].column]) { return index }
            }
            return nil
        }
        if let failed {
            let rule = quarantining[failed]
            failures[rule.expectation] += 1
            rowsQuarantined += 1
            return ExpectationFailure(expectation: expectations[rule.expectation], columnIndex: rule.column, value: values[rule.column])
        }
        counted.withUnsafeBufferPointer { rules in
            for index in rules.indices {
                let value = values[rules[index].column]
                if value.isNull, !rules[index].test.isNotNull { continue }
                judged[rules[index].expectation] += 1
                if !rules[index].test.holds(value) { failures[rules[index].expectation] += 1 }
            }
        }
        return nil
    }

    /// One result per column expectation, in the order written.
    public func results() -> [ExpectationResult] {
        expectations.enumerated().map { index, expectation in
            let failed = failures[index], total = judged[index]
            let name = expectation.description
            guard let mostly = expectation.mostly else {
                let verdict: ExpectationResult.Verdict = failed == 0 ? .pass : expectation.action == .quarantine ? .quarantine : .warn
                return ExpectationResult(expectation: name, observed: "\(failed) of \(total) rows fail", threshold: "every row",
                                         verdict: verdict, observedValue: Double(failed), failingRows: failed)
            }
            guard total > 0 else {
                return ExpectationResult(expectation: name, observed: "no values", threshold: ">= \(formatShare(mostly))", verdict: .skipped, failingRows: 0)
            }
            let share = Double(total - failed) / Double(total)
            let verdict: ExpectationResult.Verdict = share >= mostly ? .pass : expectation.action == .quarantine ? .reject : .warn
            return ExpectationResult(expectation: name, observed: "\(formatShare(share)) (\(failed) of \(total) rows fail)",
                                     threshold: ">= \(formatShare(mostly))", verdict: verdict, observedValue: share, failingRows: failed)
        }
    }
}

/// A row's failed expectation: the quarantine reason.
public struct ExpectationFailure: Sendable, Hashable {
    public var expectation: ColumnExpectation
    /// The failing column's index in the schema.
    public var columnIndex: Int
    public var value: Value

    /// `column `conv_rate`: `1.7` fails expectation `between [0, 1]``, in the style of the other quarantine reasons.
    public var reason: String {
        "column `\(expectation.column)`: \(value.isNull ? "null" : "`\(value)`") fails expectation `\(expectation.rule)`"
    }
}

struct CompiledRule: Sendable {
    var expectation: Int
    var column: Int
    var test: RowTest
}
