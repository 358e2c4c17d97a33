/// How one input column reaches an output column, in OpenLineage's vocabulary: a `direct` transformation gives the
/// output its value (`identity`, `transformation`, `aggregation`); an `indirect` one only decides which value
/// (`conditional`, `window`, …).
public struct ColumnTransformation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case direct = "DIRECT", indirect = "INDIRECT" }
    public enum Subtype: String, Sendable, Hashable {
        case identity = "IDENTITY", transformation = "TRANSFORMATION", aggregation = "AGGREGATION"
        case conditional = "CONDITIONAL", window = "WINDOW", filter = "FILTER", join = "JOIN", sort = "SORT", groupBy = "GROUP_BY"
    }

    public var kind: Kind
    public var subtype: Subtype
    /// The transformation as written: the expression text, the aggregation, or nil for an identity.
    public var description: String?

    public init(_ kind: Kind, _ subtype: Subtype, description: String? = nil) {
        self.kind = kind
        self.subtype = subtype
        self.description = description
    }
}

/// One input column of an output column, with every way it is used.
public struct ColumnInput: Sendable, Hashable {
    public var column: String
    public var transformations: [ColumnTransformation]

    public init(column: String, transformations: [ColumnTransformation]) {
        self.column = column
        self.transformations = transformations
    }
}

/// An output column and the input columns it is computed from. Derived from compiled definitions, never written by hand.
public struct ColumnDerivation: Sendable, Hashable {
    public var output: String
    public var inputs: [ColumnInput]

    public init(output: String, inputs: [ColumnInput]) {
        self.output = output
        self.inputs = inputs
    }
}

extension CompiledView {
    /// Every output column of the view (features, then aggregations) with the source columns it reads and how:
    ///
    /// ```swift
    /// view.columnDerivations.first { $0.output == "conv_x_acc" }?.inputs.map(\.column)   // ["conv_rate", "acc_rate"]
    /// ```
    /// Column names are the source's own (`event_timestamp`, not the stored `strata_event_ts`).
    public var columnDerivations: [ColumnDerivation] {
        features.map(ColumnDerivation.init(feature:))
            + aggregations.map { ColumnDerivation(aggregation: $0, eventTime: source.timestamp.column) }
    }
}

extension ColumnDerivation {
    /// A feature: an identity when its expression is a bare column, else each column it reads — directly for the value,
    /// indirectly where it only sits in a condition (`case when`, `if`, `nullif`'s second argument).
    public init(feature: CompiledFeature) {
        let text = feature.definition.expression.trimmingSpaces()
        if case .column(_, let name, _) = feature.typed {
            self.init(output: feature.definition.name, inputs: [ColumnInput(column: name, transformations: [ColumnTransformation(.direct, .identity)])])
            return
        }
        var uses = ColumnUses()
        uses.collect(feature.typed, isCondition: false)
        let inputs = uses.order.map { name in
            ColumnInput(column: name, transformations: uses.roles[name, default: []].map { isCondition in
                isCondition ? ColumnTransformation(.indirect, .conditional, description: text) : ColumnTransformation(.direct, .transformation, description: text)
            })
        }
        self.init(output: feature.definition.name, inputs: inputs)
    }

    /// A windowed aggregation: the columns of its input directly (aggregated), the columns of its `where` indirectly
    /// (they filter rows), and the event-time column indirectly (it places events in the window).
    public init(aggregation: CompiledAggregation, eventTime: String) {
        let definition = aggregation.definition
        let input = definition.column ?? definition.expression ?? "*"
        let text = "\(definition.function.rawValue)(\(input)) over \(FeatureDuration.format(definition.windowMicros))"
            + (definition.filter.map { " where \($0)" } ?? "")
        var uses = ColumnUses()
        if let typed = aggregation.input { uses.collect(typed, isCondition: false) }
        if let filter = aggregation.filter { uses.collect(filter, isCondition: true) }
        var inputs = uses.order.map { name in
            ColumnInput(column: name, transformations: uses.roles[name, default: []].map { isCondition in
                isCondition ? ColumnTransformation(.indirect, .filter, description: definition.filter ?? text)
                            : ColumnTransformation(.direct, .aggregation, description: text)
            })
        }
        let window = ColumnTransformation(.indirect, .window, description: "events in the \(FeatureDuration.format(definition.windowMicros)) window ending at the lookup time")
        if let index = inputs.firstIndex(where: { $0.column == eventTime }) {
            inputs[index].transformations.append(window)
        } else {
            inputs.append(ColumnInput(column: eventTime, transformations: [window]))
        }
        self.init(output: definition.name, inputs: inputs)
    }
}

/// The columns an expression reads, in first-use order, with whether each is read for the value, in a condition, or both.
private struct ColumnUses {
    var order: [String] = []
    /// Per column: `false` for a value use, `true` for a condition use, each at most once, value first.
    var roles: [String: [Bool]] = [:]

    mutating func note(_ name: String, isCondition: Bool) {
        if roles[name] == nil { order.append(name) }
        var list = roles[name, default: []]
        if !list.contains(isCondition) { list.append(isCondition); list.sort { !$0 && $1 } }
        roles[name] = list
    }

    mutating func collect(_ expr: TypedExpr, isCondition: Bool) {
        switch expr {
        case .literal: break
        case .column(_, let name, _): note(name, isCondition: isCondition)
        case .negate(let e, _), .not(let e), .isNull(let e, _), .cast(let e, _): collect(e, isCondition: isCondition)
        case .arithmetic(_, let l, let r, _), .concat(let l, let r), .compare(_, let l, let r), .logical(_, let l, let r):
            collect(l, isCondition: isCondition)
            collect(r, isCondition: isCondition)
        case .caseWhen(let whens, let otherwise, _):
            for when in whens {
                collect(when.condition, isCondition: true)
                collect(when.result, isCondition: isCondition)
            }
            if let otherwise { collect(otherwise, isCondition: isCondition) }
        case .function(let function, let arguments, _):
            for (index, argument) in arguments.enumerated() {
                let decides = (function == .if && index == 0) || (function == .nullif && index == 1)
                collect(argument, isCondition: isCondition || decides)
            }
        }
    }
}
