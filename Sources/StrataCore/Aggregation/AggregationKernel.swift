/// How one aggregate function folds, merges and finalizes values of one input type. Pure and deterministic: the offline
/// sweep, the online tile store and the tests all call these same functions, so the same inputs in the same order give
/// the same bits everywhere.
///
/// ```swift
/// let kernel = try AggregationKernel.make(.sum, inputType: .float64).get()
/// var partial = AggregatePartial()
/// kernel.insert(&partial, .float(2.5), at: order)
/// kernel.finalize(partial)  // .float(2.5)
/// ```
public struct AggregationKernel: Sendable, Hashable {
    @usableFromInline
    enum Kind: Sendable, Hashable {
        case countRows, countValues, exactSum, floatSum, exactAverage, floatAverage, variance, stddev, min, max, first, last, distinct
    }

    @usableFromInline let kind: Kind
    public let function: AggregationDefinition.Function
    /// The aggregated expression's type; nil for a count of rows.
    public let inputType: ValueType?
    /// The type of the finalized value.
    public let resultType: ValueType

    /// The kernel for a function over inputs of a type, or what is wrong with the pair and how to fix it.
    public static func make(_ function: AggregationDefinition.Function, inputType: ValueType?) -> Result<AggregationKernel, AggregationTypeProblem> {
        guard let inputType else {
            guard function == .count else {
                return .failure(.init("`\(function.rawValue)` needs a `column`", fix: "add `column: fare` or `column: {expr: …}`"))
            }
            return .success(AggregationKernel(kind: .countRows, function: function, inputType: nil, resultType: .int64))
        }
        let numeric = inputType.isNumeric
        let isInt = inputType == .int64
        switch function {
        case .count:
            return .success(.init(kind: .countValues, function: function, inputType: inputType, resultType: .int64))
        case .sum, .avg, .stddev, .variance:
            guard numeric else {
                return .failure(.init("`\(function.rawValue)` needs a number, got \(inputType)",
                                      fix: inputType == .string ? "use `count` or `approx_count_distinct` for text, or convert it with `cast(… as float64)`"
                                          : "aggregate a number, or convert with `cast(… as int64)`"))
            }
            let kind: Kind = switch function {
            case .sum: isInt ? .exactSum : .floatSum
            case .avg: isInt ? .exactAverage : .floatAverage
            case .stddev: .stddev
            default: .variance
            }
            return .success(.init(kind: kind, function: function, inputType: inputType, resultType: function == .sum ? inputType : .float64))
        case .min, .max, .first, .last:
            let kind: Kind = function == .min ? .min : function == .max ? .max : function == .first ? .first : .last
            return .success(.init(kind: kind, function: function, inputType: inputType, resultType: inputType))
        case .approxCountDistinct:
            guard inputType != .float64 else {
                return .failure(.init("`approx_count_distinct` of a float64 is refused: equal-looking floats need not be equal",
                                      fix: "count a rounded integer instead, e.g. `column: {expr: \"cast(round(fare * 100) as int64)\"}`"))
            }
            return .success(.init(kind: .distinct, function: function, inputType: inputType, resultType: .int64))
        }
    }

    /// True when two kernels fold and merge alike and differ at most in `finalize` (sum and avg, variance and stddev),
    /// so one partial serves both.
    package func foldsLike(_ other: AggregationKernel) -> Bool {
        func family(_ kind: Kind) -> Kind {
            switch kind {
            case .floatAverage: return .floatSum
            case .exactAverage: return .exactSum
            case .stddev: return .variance
            default: return kind
            }
        }
        return family(kind) == family(other.kind)
    }

    /// Folds one input into a partial. Null inputs (and non-finite floats, which the project treats as null) are
    /// skipped by every function but a count of rows, which counts the event itself.
    @inlinable @inline(__always)
    public func insert(_ partial: inout AggregatePartial, _ input: Value, at order: EventOrder) {
        if kind == .countRows {
            partial.folded += 1
            return
        }
        guard accepts(input) else { return }
        let isFirst = partial.count == 0
        switch kind {
        case .countRows, .countValues:
            break
        case .exactSum, .exactAverage:
            guard case .int(let x) = input else { return }
            partial.exact.add(x)
        case .floatSum, .floatAverage:
            let x = input.doubleValue ?? 0
            partial.sum = isFirst ? x : partial.sum + x
        case .variance, .stddev:
            // Welford: n' = n + 1; d = x - mean; mean' = mean + d / n'; m2' = m2 + d * (x - mean').
            let x = input.doubleValue ?? 0
            let n = Double(partial.count + 1)
            let delta = x - partial.sum
            partial.sum = isFirst ? x : partial.sum + delta / n
            partial.m2 = isFirst ? 0 : partial.m2 + delta * (x - partial.sum)
        case .min:
            if isFirst || Self.precedes(input, partial.value) { partial.chosen = ChosenValue(input, .unordered) }
        case .max:
            if isFirst || Self.precedes(partial.value, input) { partial.chosen = ChosenValue(input, .unordered) }
        case .first:
            if isFirst || order < partial.order { partial.chosen = ChosenValue(input, order) }
        case .last:
            if isFirst || partial.order < order { partial.chosen = ChosenValue(input, order) }
        case .distinct:
            partial.insertIntoSketch(input)
        }
        partial.folded += 1
    }

    /// True when `insert` folds `input`; false when it skips it (a null, or a non-finite float, for every function but a
    /// count of rows). A skipped input changes no partial, so stores may leave such events out of their folds.
    @inlinable @inline(__always)
    public func accepts(_ input: Value) -> Bool {
        if kind == .countRows { return true }
        switch input {
        case .null: return false
        case .float(let x) where !x.isFinite: return false
        default: return true
        }
    }

    /// Merges `other` (the later tiles) into `partial` (the earlier ones). An empty side leaves the other unchanged,
    /// bit for bit, so empty tiles can be skipped.
    @inlinable @inline(__always)
    public func merge(_ partial: inout AggregatePartial, _ other: AggregatePartial) {
        if other.count == 0 { return }
        if partial.count == 0 {
            partial = other
            return
        }
        switch kind {
        case .countRows, .countValues:
            break
        case .exactSum, .exactAverage:
            partial.exact.add(other.exact)
        case .floatSum, .floatAverage:
            partial.sum = partial.sum + other.sum
        case .variance, .stddev:
            // Chan et al.: n = na + nb; d = mean_b - mean_a; mean = mean_a + d * (nb / n); m2 = m2_a + m2_b + d * d * (na * nb / n).
            let na = Double(partial.count), nb = Double(other.count), n = Double(partial.count + other.count)
            let delta = other.sum - partial.sum
            partial.sum = partial.sum + delta * (nb / n)
            partial.m2 = partial.m2 + other.m2 + delta * delta * (na * nb / n)
        case .min:
            if Self.precedes(other.value, partial.value) { partial.chosen = other.chosen }
        case .max:
            if Self.precedes(partial.value, other.value) { partial.chosen = other.chosen }
        case .first:
            if other.order < partial.order { partial.chosen = other.chosen }
        case .last:
            if partial.order < other.order { partial.chosen = other.chosen }
        case .distinct:
            partial.mergeIntoSketch(other)
        }
        partial.folded += other.folded
    }

    /// The aggregate's value: count-like functions give 0 for an empty partial, the others null; a non-finite float
    /// gives null, and so does an integer sum outside int64.
    public func finalize(_ partial: AggregatePartial) -> Value {
        switch kind {
        case .countRows, .countValues:
            return .int(partial.count)
        case .distinct:
            return .int(partial.sketch?.estimate ?? 0)
        default:
            break
        }
        guard partial.count > 0 else { return .null }
        switch kind {
        case .exactSum:
            return partial.exact.int64Value.map(Value.int) ?? .null
        case .floatSum:
            return Self.finite(partial.sum)
        case .exactAverage:
            return Self.finite(partial.exact.doubleValue / Double(partial.count))
        case .floatAverage:
            return Self.finite(partial.sum / Double(partial.count))
        case .variance, .stddev:
            guard partial.count > 1 else { return .null }
            let variance = partial.m2 / Double(partial.count - 1)
            return Self.finite(kind == .variance ? variance : variance.squareRoot())
        default:
            return partial.value
        }
    }

    @usableFromInline
    static func finite(_ x: Double) -> Value {
        x.isFinite ? .float(x) : .null
    }

    /// Strict order for min and max: IEEE total order for floats (so -0.0 < 0.0 and the pick never depends on which
    /// came first), SQL order otherwise.
    @inlinable
    static func precedes(_ a: Value, _ b: Value) -> Bool {
        if case .float(let x) = a, case .float(let y) = b { return !y.isTotallyOrdered(belowOrEqualTo: x) }
        return (ScalarOperations.compare(a, b) ?? 0) < 0
    }
}

/// A function applied to an input type it cannot aggregate.
public struct AggregationTypeProblem: Error, Sendable, Hashable {
    public var what: String
    public var fix: String?

    init(_ what: String, fix: String?) {
        self.what = what
        self.fix = fix
    }
}
