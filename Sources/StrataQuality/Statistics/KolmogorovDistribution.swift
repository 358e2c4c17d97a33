#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distribution of the one-sample two-sided Kolmogorov–Smirnov statistic `Dₙ = supₓ |Fₙ(x) − F(x)|`.
///
/// `survival(n:x:)` is `P(Dₙ ≥ x)`, scipy's `kstwo.sf(x, n)`, which `ks_2samp` uses for large samples. It follows
/// Simard & L'Ecuyer, "Computing the Two-Sided Kolmogorov-Smirnov Distribution" (J. Stat. Softw. 39, 2011), with
/// scipy's choice of method per region (`scipy/stats/_ksstats.py`): Ruben–Gambino closed forms at the edges,
/// the Durbin matrix (Marsaglia–Tsang–Wang 2003), Pomeranz's recursion (1974), the Pelz–Good expansion (1976),
/// and twice the one-sided Smirnov tail (Birnbaum–Tingey 1951) far out.
enum KolmogorovDistribution {
    static func survival(n: Int, x: Double) -> Double {
        guard n > 0, !x.isNaN else { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let nd = Double(n)
        let t = nd * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                cdf = (1...n).reduce(1.0) { $0 * (Double($1) * (1 / nd) * (2 * t - 1)) }
            } else {
                cdf = exp(SpecialFunctions.logFactorialOverPower(n) + nd * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= nd - 1 { return clip(2 * pow(1 - x, nd)) }
        if x >= 0.5 { return clip(2 * smirnovSurvival(n: n, x: x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clip(1 - durbinMatrixCDF(n: n, x: x)) }
            if nxSquared <= 4 { return clip(1 - pomeranzCDF(n: n, x: x)) }
            return clip(2 * smirnovSurvival(n: n, x: x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnovSurvival(n: n, x: x)) }
        if n <= 100_000, nd * pow(x, 1.5) <= 1.4 { return clip(1 - durbinMatrixCDF(n: n, x: x)) }
        return clip(1 - pelzGoodCDF(n: n, x: x))
    }

    static func clip(_ p: Double) -> Double { min(1, max(0, p)) }

    static let scaleUp = 0x1p128
    static let scaleDown = 0x1p-128

    /// `P(Dₙ ≤ d)` as the `(k, k)` entry of `Hⁿ · n! / nⁿ` (Durbin 1968; Marsaglia, Tsang & Wang 2003), with the
    /// matrix power and the factorial rescaled by powers of 2¹²⁸ to stay in range.
    static func durbinMatrixCDF(n: Int, x d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] = (1 - pow(h, Double(j))) * factorial
        }
        v[m - 1] = (1 + pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))) * factorial
        var matrix = [Double](repeating: 0, count: m * m)
        for column in 1..<max(m, 1) {
            for row in (column - 1)..<m { matrix[row * m + column] = w[row - column + 1] }
        }
        for row in 0..<m { matrix[row * m] = v[row] }
        for column in 0..<m { matrix[(m - 1) * m + column] = v[m - 1 - column] }
        var power = [Double](repeating: 0, count: m * m)
        for i in 0..<m { power[i * m + i] = 1 }
        var exponent = 0
        var matrixExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = multiply(power, matrix, m)
                exponent += matrixExponent
            }
            matrix = multiply(matrix, matrix, m)
            matrixExponent *= 2
            if abs(matrix[(k - 1) * m + (k - 1)]) > scaleUp {
                for i in matrix.indices { matrix[i] /= scaleUp }
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < scaleDown {
                p *= scaleUp
                exponent -= 128
            }
        }
        return exponent == 0 ? p : scalbn(p, Int32(exponent))
    }

    static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var result = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for l in 0..<m {
                let factor = a[i * m + l]
                if factor == 0 { continue }
                for j in 0..<m { result[i * m + j] += factor * b[l * m + j] }
            }
        }
        return result
    }

    /// `P(Dₙ ≤ x)` by Pomeranz's recursion over the 2n + 2 break points of the lattice, as convolutions with
    /// truncated exponential series.
    static func pomeranzCDF(n: Int, x: Double) -> Double {
        let t = Double(n) * x
        let ll = Int(t.rounded(.down))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilF = f > 0 ? 1 : 0
        let roundF = f > 0.5 ? 1 : 0
        let powers = 2 * (ll + 1)
        var gPower = [Double](repeating: 1, count: powers)
        var twoGPower = [Double](repeating: 1, count: powers)
        var oneMinusTwoGPower = [Double](repeating: 1, count: powers)
        for j in 1..<powers {
            gPower[j] = gPower[j - 1] * (g / Double(n)) / Double(j)
            twoGPower[j] = twoGPower[j - 1] * (2 * g / Double(n)) / Double(j)
            oneMinusTwoGPower[j] = oneMinusTwoGPower[j - 1] * ((1 - 2 * g) / Double(n)) / Double(j)
        }
        func bounds(_ i: Int) -> (Int, Int) {
            var j1: Int, j2: Int
            if i == 0 {
                (j1, j2) = (-ll - ceilF - 1, ll + ceilF - 1)
            } else {
                let half = (i + 1) / 2
                if (i + 1) % 2 == 0 {
                    (j1, j2) = half == n + 1 ? (n - ll - ceilF - 1, n + ll + ceilF - 1) : (half - 2 - ll - roundF, half + ll - 2 + ceilF)
                } else {
                    (j1, j2) = (half - 2 - ll, half + ll + roundF - 1)
                }
            }
            return (max(j1 + 2, 0), min(j2, n))
        }
        var previous = [Double](repeating: 0, count: powers)
        var current = [Double](repeating: 0, count: powers)
        current[0] = 1
        var previousStart = 0
        var currentStart = 0
        var exponent = 0
        var (j1, j2) = bounds(0)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&previous, &current)
            swap(&previousStart, &currentStart)
            for index in current.indices { current[index] = 0 }
            (j1, j2) = bounds(i)
            let series = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let offset = max(0, k1 - previousStart)
            let aCount = min(length, powers - offset)
            let bCount = min(length, powers)
            let start = j1 - k1
            let count = j2 - j1 + 1
            for out in 0..<max(0, min(count, powers)) {
                let k = start + out
                var sum = 0.0
                let lower = max(0, k - (bCount - 1))
                let upper = min(k, aCount - 1)
                if lower <= upper {
                    for a in lower...upper { sum += previous[offset + a] * series[k - a] }
                }
                current[out] = sum
            }
            if let largest = current.max(), largest > 0, largest < scaleDown {
                for index in current.indices { current[index] *= scaleUp }
                exponent -= 128
            }
            currentStart = previousStart + j1 - k1
        }
        let index = n - currentStart
        guard current.indices.contains(index) else { return .nan }
        var answer = current[index]
        for j in 1...n {
            if abs(answer) > scaleUp {
                answer *= scaleDown
                exponent += 128
            }
            answer *= Double(j)
        }
        return exponent == 0 ? answer : scalbn(answer, Int32(exponent))
    }

    /// The Pelz–Good asymptotic expansion of `P(Dₙ ≤ x)` in powers of `n^(-1/2)`, written with Jacobi theta
    /// functions so it converges for small `z = x√n`.
    static func pelzGoodCDF(n: Int, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = Double(n).squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2, z7 = z6 * z, z8 = z4 * z4, z10 = z8 * z2
        let qLog = -pi2 / 8 / z2
        if qLog < -708 { return 0 }
        let q = exp(qLog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z8
        var terms = (0.0, 0.0, 0.0, 0.0)
        let kMax = Int((16 * z / Double.pi).rounded(.up))
        var k = kMax
        while k >= 1 {
            let m = Double(2 * k - 1)
            let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
            let qPower = pow(q, Double(8 * k))
            terms.0 = terms.0 * qPower + 1
            terms.1 = terms.1 * qPower + (k1a + k1b * m2)
            terms.2 = terms.2 * qPower + (k2a + k2b * m2 + k2c * m4)
            terms.3 = terms.3 * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6)
            k -= 1
        }
        terms.0 = terms.0 * q * sqrt2pi / z
        terms.1 = terms.1 * q * sqrt2pi / (6 * z4)
        terms.2 = terms.2 * q * sqrt2pi / (72 * z7)
        terms.3 = terms.3 * q * sqrt2pi / (6480 * z10)
        let q2 = exp(-pi2 / 2 / z2)
        var extra2 = 0.0, extra3 = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        k = kMax
        while k >= 1 {
            let kd = Double(k)
            let weight = kd * kd * pow(q2, kd * kd)
            extra2 += weight
            extra3 += (sqrt3z + kd * Double.pi) * (sqrt3z - kd * Double.pi) * weight
            k -= 1
        }
        terms.2 += extra2 * pi2 * sqrt2pi / (-36 * z3)
        terms.3 += extra3 * pi2 * sqrt2pi / (216 * z6)
        let nd = Double(n)
        return terms.0 + terms.1 / nd.squareRoot() + terms.2 / nd + terms.3 / (nd * nd.squareRoot())
    }
}
