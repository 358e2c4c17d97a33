/// Count, mean, sum of squared deviations, minimum and maximum of a stream of numbers, updated one value at a time
/// with Welford's method and merged with Chan, Golub & LeVeque's pairwise formula, so a merged summary equals the
/// summary of the concatenated stream up to rounding.
struct Moments: Sendable, Hashable, Codable {
    init() {}

    private(set) var count: Int64 = 0
    private(set) var mean: Double = 0
    /// `Σ (x − mean)²`.
    private(set) var squaredDeviations: Double = 0
    private(set) var minimum: Double = .infinity
    private(set) var maximum: Double = -.infinity

    @inline(__always)
    mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (x - mean)
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
    }

    mutating func merge(_ other: Moments) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let total = count + other.count
        let delta = other.mean - mean
        let weightOther = Double(other.count) / Double(total)
        mean += delta * weightOther
        squaredDeviations += other.squaredDeviations + delta * delta * Double(count) * weightOther
        count = total
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }

    /// Sets the state read back from storage.
    mutating func restore(count: Int64, mean: Double, squaredDeviations: Double, minimum: Double, maximum: Double) {
        self.count = count
        self.mean = mean
        self.squaredDeviations = squaredDeviations
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The sample variance (divisor `n − 1`); nil below two values.
    var sampleVariance: Double? { count > 1 ? max(0, squaredDeviations) / Double(count - 1) : nil }
}
