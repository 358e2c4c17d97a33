/// A column rule compiled for one column type: bounds converted once, `in` lists as sets, patterns compiled.
enum RowTest: Sendable {
    case notNull
    /// Inclusive integer bounds (int64 and timestamp columns; fractional bounds rounded inward).
    case integerRange(Int64, Int64)
    case floatRange(Double, Double)
    case integers(Set<Int64>)
    case floats(Set<Double>)
    /// Up to 16 strings: comparing a few is faster than hashing.
    case stringList([String])
    case strings(Set<String>)
    case booleans(Set<Bool>)
    case pattern(TextPattern)
    case maxLength(Int)

    init(_ rule: ColumnRule, type: ValueType) throws(TextPatternError) {
        switch rule {
        case .notNull:
            self = .notNull
        case .between(let lower, let upper):
            if type == .float64 {
                self = .floatRange(lower?.number ?? -.infinity, upper?.number ?? .infinity)
            } else {
                self = .integerRange(Self.integer(lower, roundingUp: true) ?? .min, Self.integer(upper, roundingUp: false) ?? .max)
            }
        case .oneOf(let literals):
            switch type {
            case .string:
                let strings = literals.compactMap { literal -> String? in if case .string(let v) = literal { return v } else { return nil } }
                self = strings.count <= 16 ? .stringList(strings) : .strings(Set(strings))
            case .bool: self = .booleans(Set(literals.compactMap { if case .bool(let v) = $0 { return v } else { return nil } }))
            case .float64: self = .floats(Set(literals.compactMap(\.number)))
            case .int64, .timestamp:
                self = .integers(Set(literals.compactMap { literal -> Int64? in
                    switch literal {
                    case .int(let v), .timestamp(let v): return v
                    case .float(let v) where v == v.rounded() && abs(v) < 9.2e18: return Int64(v)
                    default: return nil
                    }
                }))
            }
        case .matches(let source):
            self = .pattern(try TextPattern(source))
        case .maxLength(let length):
            self = .maxLength(length)
        }
    }

    /// An integer bound from a literal; a fractional bound moves inward (`≥ 0.5` is `≥ 1` for integers).
    static func integer(_ literal: ExpectationLiteral?, roundingUp: Bool) -> Int64? {
        switch literal {
        case .int(let v), .timestamp(let v): return v
        case .float(let v):
            let rounded = roundingUp ? v.rounded(.up) : v.rounded(.down)
            if rounded >= 9.2e18 { return .max }
            if rounded <= -9.2e18 { return .min }
            return Int64(rounded)
        default: return nil
        }
    }

    var isNotNull: Bool { if case .notNull = self { return true } else { return false } }

    /// True when the value satisfies the rule; a null satisfies every rule but `notNull`. Switching on the rule
    /// alone (not on a tuple with the value) keeps the payloads borrowed: no retain per row.
    @inline(__always)
    func holds(_ value: Value) -> Bool {
        if case .notNull = self { return !value.isNull }
        switch value {
        case .null: return true
        case .int(let v):
            switch self {
            case .integerRange(let low, let high): return low <= v && v <= high
            case .floatRange(let low, let high): return low <= Double(v) && Double(v) <= high
            case .integers(let set): return set.contains(v)
            default: return false
            }
        case .float(let v):
            switch self {
            case .floatRange(let low, let high): return low <= v && v <= high
            case .floats(let set): return set.contains(v)
            default: return false
            }
        case .string(let v):
            switch self {
            case .stringList(let list): return list.contains(v)
            case .strings(let set): return set.contains(v)
            case .pattern(let pattern): return pattern.matches(v)
            case .maxLength(let length): return v.utf8.count <= length || v.unicodeScalars.count <= length
            default: return false
            }
        case .bool(let v):
            if case .booleans(let set) = self { return set.contains(v) }
            return false
        }
    }
}
