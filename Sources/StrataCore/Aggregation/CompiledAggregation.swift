/// One aggregation ready to compute: its checked input and `where` expressions, its kernel and its window.
///
/// The input and the condition are `TypedExpr`s over the source's expression columns (`SourceDefinition.expressionColumns`),
/// evaluated with `ExpressionEvaluator` on every path, so the values folded offline and online are the same values.
public struct CompiledAggregation: Sendable {
    public var definition: AggregationDefinition
    /// The aggregated expression; nil for a count of rows.
    public var input: TypedExpr?
    /// The `where` condition; nil when every row counts.
    public var filter: TypedExpr?
    public var kernel: AggregationKernel
    public var window: AggregationWindow

    /// The canonical fold of this aggregation.
    public var fold: AggregationFold { AggregationFold(kernel: kernel, window: window) }
    public var resultType: ValueType { kernel.resultType }

    /// Checks a definition against its source: window and hop, the input's and the condition's types, the function.
    public static func compile(_ definition: AggregationDefinition, source: SourceDefinition) -> Result<CompiledAggregation, AggregationProblem> {
        guard definition.windowMicros > 0 else {
            return .failure(.init(field: "window", "window must be positive, got `\(FeatureDuration.format(definition.windowMicros))`",
                                  fix: "write a positive duration such as `1h` or `7d`"))
        }
        let window = definition.windowMicros, hop = definition.hopMicros
        guard hop >= 0, hop == 0 || window % hop == 0 else {
            return .failure(.init(field: "hop", "hop `\(FeatureDuration.format(hop))` does not divide the window `\(FeatureDuration.format(window))`",
                                  fix: "use a hop that divides the window, such as `\(FeatureDuration.format(AggregationDefinition.defaultHop(windowMicros: window)))`, or `hop: 0` for exact sliding windows"))
        }
        let checker = TypeChecker(columns: source.expressionColumns)
        var input: TypedExpr?
        if definition.column != nil, definition.expression != nil {
            return .failure(.init(field: "column", "give either a column or an expression, not both", fix: nil))
        }
        if let column = definition.column {
            guard source.expressionColumns.contains(where: { $0.name == column }) else {
                let names = source.expressionColumns.map(\.name)
                return .failure(.init(field: "column", "source `\(source.name)` has no column `\(column)`",
                                      fix: didYouMean(column, in: names) ?? "columns: \(names.joined(separator: ", "))"))
            }
            switch checker.check(.column(column, offset: 0)) {
            case .success(let typed): input = typed
            case .failure(let error): return .failure(.init(field: "column", error.what, fix: error.fix))
            }
        } else if let expression = definition.expression {
            switch ExpressionParser.parse(expression).flatMap({ checker.check($0) }) {
            case .success(let typed): input = typed
            case .failure(let error): return .failure(.init(field: "column", "in `\(expression)`: \(error.what)", fix: error.fix, offset: error.offset))
            }
        }
        var filter: TypedExpr?
        if let text = definition.filter {
            switch ExpressionParser.parse(text).flatMap({ checker.check($0) }) {
            case .success(let typed):
                guard typed.type == .bool || typed.isNullLiteral else {
                    return .failure(.init(field: "where", "`where` must be a boolean condition, but `\(text)` is \(typed.type)",
                                          fix: "compare it, e.g. `status = 'completed'` or `fare > 0`"))
                }
                filter = typed.isNullLiteral ? .literal(.null, .bool) : typed
            case .failure(let error):
                return .failure(.init(field: "where", "in `\(text)`: \(error.what)", fix: error.fix, offset: error.offset))
            }
        }
        switch AggregationKernel.make(definition.function, inputType: input?.type) {
        case .success(let kernel):
            return .success(CompiledAggregation(definition: definition, input: input, filter: filter, kernel: kernel,
                                                window: AggregationWindow(windowMicros: window, hopMicros: hop)))
        case .failure(let problem):
            return .failure(.init(field: input == nil ? "function" : "column", problem.what, fix: problem.fix))
        }
    }

    /// The value to fold from one source row (its expression columns), or nil when `where` leaves the row out.
    @inline(__always)
    public func input(from row: [Value]) -> Value? {
        if let filter, ExpressionEvaluator.evaluate(filter, row: row) != .bool(true) { return nil }
        return input.map { ExpressionEvaluator.evaluate($0, row: row) } ?? .null
    }
}

/// What is wrong with an aggregation definition: the field to point at, the problem, a fix, and for expressions the
/// character offset of the problem.
public struct AggregationProblem: Error, Sendable, Hashable {
    public var field: String
    public var what: String
    public var fix: String?
    public var offset: Int

    init(field: String, _ what: String, fix: String?, offset: Int = 0) {
        self.field = field
        self.what = what
        self.fix = fix
        self.offset = offset
    }
}

extension SourceDefinition {
    /// A stored source row as the row `TypedExpr`s read: schema values, then the event time, then the created time
    /// when the source has a created column (the order of `expressionColumns`).
    public func expressionRow(values: [Value], eventTs: Int64, createdTs: Int64) -> [Value] {
        var row = values
        row.append(.int(eventTs))
        if created != nil { row.append(.int(createdTs)) }
        return row
    }
}
