import Foundation

/// The seed for property tests: `STRATA_SEED` if set, fixed in CI (`CI` set), otherwise random.
/// Tests print it so any failure can be replayed with `STRATA_SEED=<seed> swift test`.
public func propertyTestSeed(_ name: String) -> UInt64 {
    let environment = ProcessInfo.processInfo.environment
    let seed: UInt64
    if let text = environment["STRATA_SEED"], let value = UInt64(text) {
        seed = value
    } else if environment["CI"] != nil {
        seed = 42
    } else {
        seed = UInt64.random(in: 1...UInt64(UInt32.max))
    }
    print("[\(name)] seed \(seed) (replay with STRATA_SEED=\(seed))")
    return seed
}
