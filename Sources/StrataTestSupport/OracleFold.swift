import StrataCore

/// The oracle's fold: each function computed straight from its definition in docs/semantics.md over the window's
/// groups (tiles, each in event order). Functions whose value does not depend on order are computed over all values
/// at once; float sums, means and variances follow the documented grouping exactly.
enum OracleFold {
    typealias Input = (order: (Int64, Int64, Int64), value: Value)

    static func value(_ aggregation: WindowedAggregationOracle.Aggregation, groups: [[Input]]) -> Value {
        // Nulls are skipped by every function but a count of rows (whose inputs are never null here).
        let nonNull = groups.map { $0.filter { !$0.value.isNull } }.filter { !$0.isEmpty }
        let all = nonNull.flatMap { $0 }
        switch aggregation.function {
        case .count:
            return .int(Int64(all.count))
        case .approxCountDistinct:
            var sketch = HyperLogLog()
            for input in all { sketch.insert(input.value) }
            return .int(sketch.estimate)
        default:
            break
        }
        guard !all.isEmpty else { return .null }
        switch aggregation.function {
        case .sum where aggregation.inputIsInteger:
            return exactTotal(all.map(\.value)).map(Value.int) ?? .null
        case .sum:
            return finite(floatSum(nonNull))
        case .avg where aggregation.inputIsInteger:
            return finite(exactTotalAsDouble(all.map(\.value)) / Double(all.count))
        case .avg:
            return finite(floatSum(nonNull) / Double(all.count))
        case .variance, .stddev:
            let (n, _, m2) = moments(nonNull)
            guard n > 1 else { return .null }
            let variance = m2 / Double(n - 1)
            return finite(aggregation.function == .variance ? variance : variance.squareRoot())
        case .min:
            return all.map(\.value).reduce(all[0].value) { isBelow($1, $0) ? $1 : $0 }
        case .max:
            return all.map(\.value).reduce(all[0].value) { isBelow($0, $1) ? $1 : $0 }
        case .first:
            return all.min { $0.order < $1.order }?.value ?? .null
        case .last:
            return all.max { $0.order < $1.order }?.value ?? .null
        case .count, .approxCountDistinct:
            return .null
        }
    }

    /// Σ within each group from its first value, then the group sums added from left to right.
    static func floatSum(_ groups: [[Input]]) -> Double {
        let sums = groups.map { group in group.dropFirst().reduce(double(group[0].value)) { $0 + double($1.value) } }
        return sums.dropFirst().reduce(sums[0]) { $0 + $1 }
    }

    /// Welford within each group, Chan et al. across groups, left to right.
    static func moments(_ groups: [[Input]]) -> (Int64, Double, Double) {
        var total: (n: Int64, mean: Double, m2: Double)?
        for group in groups {
            var n: Int64 = 0, mean = 0.0, m2 = 0.0
            for input in group {
                let x = double(input.value)
                n += 1
                if n == 1 { mean = x; m2 = 0; continue }
                let delta = x - mean
                mean = mean + delta / Double(n)
                m2 = m2 + delta * (x - mean)
            }
            guard let (na, meanA, m2A) = total else { total = (n, mean, m2); continue }
            let fa = Double(na), fb = Double(n), fn = Double(na + n)
            let delta = mean - meanA
            total = (na + n, meanA + delta * (fb / fn), m2A + m2 + delta * delta * (fa * fb / fn))
        }
        return total.map { ($0.n, $0.mean, $0.m2) } ?? (0, 0, 0)
    }

    /// The exact integer total when it fits in int64, summing the high and low 32-bit halves separately.
    static func exactTotal(_ values: [Value]) -> Int64? {
        let (high, low) = halves(values)
        guard high >= -(1 << 31), high < (1 << 31) else { return nil }
        return high << 32 | low
    }

    static func exactTotalAsDouble(_ values: [Value]) -> Double {
        let (high, low) = halves(values)
        if high >= -(1 << 31), high < (1 << 31) { return Double(high << 32 | low) }
        return Double(high) * 4_294_967_296 + Double(low)
    }

    /// The total as `high · 2^32 + low` with `0 <= low < 2^32`.
    static func halves(_ values: [Value]) -> (Int64, Int64) {
        var high: Int64 = 0, low: Int64 = 0
        for case .int(let v) in values {
            high += v >> 32
            low += v & 0xFFFF_FFFF
        }
        return (high + (low >> 32), low & 0xFFFF_FFFF)
    }

    /// Total order for floats (-0.0 below 0.0); byte order for strings; false below true; numeric order otherwise.
    static func isBelow(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): return x.isTotallyOrdered(belowOrEqualTo: y) && x.bitPattern != y.bitPattern
        case (.int(let x), .int(let y)): return x < y
        case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        case (.bool(let x), .bool(let y)): return !x && y
        default: return false
        }
    }

    static func double(_ value: Value) -> Double {
        switch value {
        case .int(let v): return Double(v)
        case .float(let v): return v
        default: return 0
        }
    }

    static func finite(_ x: Double) -> Value { x.isFinite ? .float(x) : .null }
}
