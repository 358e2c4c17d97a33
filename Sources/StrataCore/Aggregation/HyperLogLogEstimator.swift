/// Ertl's improved raw estimator for HyperLogLog (O. Ertl, "New cardinality estimation algorithms for HyperLogLog
/// sketches", 2017, algorithm 6): accurate from 0 to well beyond 10^9 without bias-correction tables.
enum HyperLogLogEstimator {
    /// `histogram[k]` is the number of registers holding `k`, for `k` in `0...q+1` where `q = 64 - precision`.
    static func estimate(histogram: UnsafeBufferPointer<Int>, registerCount: Int) -> Int64 {
        let m = Double(registerCount)
        let q = histogram.count - 2
        guard histogram[0] < registerCount else { return 0 }
        var z = m * tau(1 - Double(histogram[q + 1]) / m)
        for k in stride(from: q, through: 1, by: -1) {
            z = 0.5 * (z + Double(histogram[k]))
        }
        z += m * sigma(Double(histogram[0]) / m)
        let alphaInfinity = 1 / (2 * 0.693_147_180_559_945_3)  // 1 / (2 ln 2)
        return Int64((alphaInfinity * m * m / z).rounded(.toNearestOrAwayFromZero))
    }

    /// σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k-1), summed until it stops changing.
    static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x, y = 1.0, z = x
        while true {
            x *= x
            let previous = z
            z += x * y
            y += y
            if z == previous { return z }
        }
    }

    /// τ(x) = (1 - x - Σ_{k≥1} (1 - x^(2^-k))^2 2^-k) / 3, summed until it stops changing.
    static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        var x = x, y = 1.0, z = 1 - x
        while true {
            x = x.squareRoot()
            let previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
            if z == previous { return z / 3 }
        }
    }
}

/// The deterministic 64-bit hash of a value for sketches: the same bits in every process and on every machine.
///
/// Integers (and timestamps) and booleans: MurmurHash3's `fmix64` finalizer of the two's-complement bits xor a type tag.
/// Floats: the same of the IEEE bits (-0.0 hashed as 0.0). Strings: FNV-1a 64 over the UTF-8 bytes, then `fmix64`.
public enum StableHash {
    /// The hash, or nil for null.
    public static func hash(_ value: Value) -> UInt64? {
        switch value {
        case .null: return nil
        case .int(let v): return mix(UInt64(bitPattern: v) ^ 0x1F0D_3A6C_5B2E_4D71)
        case .bool(let b): return mix((b ? 1 : 0) ^ 0x6A09_E667_F3BC_C908)
        case .float(let d): return mix((d == 0 ? 0.0 : d).bitPattern ^ 0x3C6E_F372_FE94_F82B)
        case .string(let s):
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return mix(h ^ 0xA54F_F53A_5F1D_36F1)
        }
    }

    /// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
