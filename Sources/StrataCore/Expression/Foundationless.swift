#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libm's `log` and `exp`, the same functions SQLite's math extension calls, so results agree bit for bit.
enum Foundationless {
    static func naturalLog(_ x: Double) -> Double { log(x) }
    static func exponential(_ x: Double) -> Double { exp(x) }
}
