/// Data-quality expectations declared on a source (`expectations:`): rules each row's columns must meet, and rules
/// on the whole ingest run. Semantics are in docs/semantics.md, "Data quality".
///
/// ```yaml
/// expectations:
///   columns:
///     conv_rate: {not_null: {mostly: 0.99}, between: [0, 1]}
///     city:      {in: [lagos, lisbon, porto], action: warn}
///   run:
///     row_count: {min: 1000, max_change: 0.5}
///     freshness: 2h
/// ```
public struct SourceExpectations: Codable, Sendable, Hashable {
    /// Column rules in the order written, column by column.
    public var columns: [ColumnExpectation]
    /// Run rules in the order written.
    public var run: [RunExpectation]

    public init(columns: [ColumnExpectation] = [], run: [RunExpectation] = []) {
        self.columns = columns
        self.run = run
    }

    public var isEmpty: Bool { columns.isEmpty && run.isEmpty }
}

/// What happens to a row that fails a row rule: it goes to quarantine (the default) or is kept and counted.
public enum ExpectationAction: String, Codable, Sendable, Hashable, CaseIterable {
    case quarantine, warn
}

/// What happens when a run rule (or a `mostly` rate rule) fails: the run writes nothing (the default) or is kept
/// with a warning.
public enum RunFailureAction: String, Codable, Sendable, Hashable, CaseIterable {
    case reject, warn
}

/// One rule on one column.
public struct ColumnExpectation: Codable, Sendable, Hashable, CustomStringConvertible {
    public var column: String
    public var rule: ColumnRule
    /// Set for a rate rule: the rule holds for the run when at least this share of the rows it judges satisfy it.
    /// Nil for a row rule, which every row must satisfy.
    public var mostly: Double?
    public var action: ExpectationAction

    public init(column: String, rule: ColumnRule, mostly: Double? = nil, action: ExpectationAction = .quarantine) {
        self.column = column
        self.rule = rule
        self.mostly = mostly
        self.action = action
    }

    public var isRateRule: Bool { mostly != nil }

    /// `conv_rate: between [0, 1]`, with ` (mostly 0.99)` for a rate rule.
    public var description: String {
        "\(column): \(rule)" + (mostly.map { " (mostly \(ExpectationLiteral.float($0)))" } ?? "")
    }
}

/// The row-level rules. A null satisfies every rule except `notNull`.
public enum ColumnRule: Codable, Sendable, Hashable, CustomStringConvertible {
    case notNull
    /// Inclusive bounds; nil is open.
    case between(lower: ExpectationLiteral?, upper: ExpectationLiteral?)
    /// The value is one of these (`in:`).
    case oneOf([ExpectationLiteral])
    /// The whole value matches the `TextPattern`.
    case matches(String)
    /// At most this many Unicode scalars.
    case maxLength(Int)

    public var description: String {
        switch self {
        case .notNull: return "not_null"
        case .between(let lower, let upper): return "between [\(lower.map(\.description) ?? "-inf"), \(upper.map(\.description) ?? "inf")]"
        case .oneOf(let values): return "in [\(values.map(\.description).joined(separator: ", "))]"
        case .matches(let pattern): return "matches `\(pattern)`"
        case .maxLength(let length): return "max_length \(length)"
        }
    }
}

/// A typed value written in an expectation: a bound or a member of an `in` list.
public enum ExpectationLiteral: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case float(Double)
    case string(String)
    case bool(Bool)
    /// Microseconds since the epoch, UTC.
    case timestamp(Int64)

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .float(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        case .timestamp(let value): return Timestamp.format(value)
        }
    }

    /// The literal as a number, for numeric comparisons.
    var number: Double? {
        switch self {
        case .int(let value), .timestamp(let value): return Double(value)
        case .float(let value): return value
        default: return nil
        }
    }
}

/// One rule on a whole ingest run, judged on the rows the run would write.
public struct RunExpectation: Codable, Sendable, Hashable, CustomStringConvertible {
    public var rule: RunRule
    public var onFail: RunFailureAction

    public init(rule: RunRule, onFail: RunFailureAction = .reject) {
        self.rule = rule
        self.onFail = onFail
    }

    public var description: String { rule.description }
}

/// The run-level rules.
public enum RunRule: Codable, Sendable, Hashable, CustomStringConvertible {
    case rowCountMin(Int64)
    case rowCountMax(Int64)
    /// The largest allowed `|rows − previous rows| / previous rows`, against the source's previous run.
    case rowCountChange(Double)
    /// The newest event time must be at most this old (microseconds) when the run starts.
    case freshness(maxAgeMicros: Int64)
    /// The share of nulls in a column must be at most `max`.
    case nullRate(column: String, max: Double)
    /// The mean of a column's non-null values must lie in `[lower, upper]`.
    case mean(column: String, lower: Double, upper: Double)
    /// No two rows share their join keys and event time.
    case unique

    public var description: String {
        switch self {
        case .rowCountMin(let count): return "row_count >= \(count)"
        case .rowCountMax(let count): return "row_count <= \(count)"
        case .rowCountChange(let change): return "row_count change <= \(ExpectationLiteral.float(change))"
        case .freshness(let age): return "freshness <= \(FeatureDuration.format(age))"
        case .nullRate(let column, let max): return "null_rate(\(column)) <= \(ExpectationLiteral.float(max))"
        case .mean(let column, let lower, let upper):
            return "mean(\(column)) in [\(ExpectationLiteral.float(lower)), \(ExpectationLiteral.float(upper))]"
        case .unique: return "unique (join keys, event time)"
        }
    }
}
