/// The most frequent strings of a stream with their counts, in bounded memory: the Misra–Gries summary
/// (Misra & Gries 1982) with the merge of Agarwal et al., "Mergeable Summaries" (PODS 2012).
///
/// At most `capacity` counters are kept. Each reported count is a lower bound: `true − errorBound ≤ count ≤ true`,
/// where `errorBound` (the total amount subtracted from every counter) never exceeds `n / (capacity + 1)`. While
/// nothing has been subtracted (`errorBound == 0`) the counts are exact and complete.
struct FrequentItems: Sendable, Hashable, Codable {
    static let defaultCapacity = 1024

    let capacity: Int
    private(set) var counts: [String: Int64]
    private(set) var errorBound: Int64 = 0

    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
        counts = Dictionary(minimumCapacity: capacity)
    }

    var isExact: Bool { errorBound == 0 }

    /// The sum of the kept counters; `n − countedTotal` values are unaccounted for (in no counter).
    var countedTotal: Int64 { counts.values.reduce(0, +) }

    /// Counts `key`; returns true when it already had a counter (so it was inserted before).
    @inline(__always) @discardableResult
    mutating func insert(_ key: String) -> Bool {
        if let index = counts.index(forKey: key) {
            counts.values[index] += 1
            return true
        } else if counts.count < capacity {
            counts[key] = 1
        } else {
            decrementAll()
        }
        return false
    }

    /// A new key meets a full table: the new key and every counter lose one, and counters at zero go.
    private mutating func decrementAll() {
        var kept = [String: Int64](minimumCapacity: capacity)
        for (key, count) in counts where count > 1 { kept[key] = count - 1 }
        counts = kept
        errorBound += 1
    }

    mutating func merge(_ other: FrequentItems) {
        counts.merge(other.counts, uniquingKeysWith: +)
        errorBound += other.errorBound
        guard counts.count > capacity else { return }
        let cut = counts.values.sorted(by: >)[capacity]
        var kept = [String: Int64](minimumCapacity: capacity)
        for (key, count) in counts where count > cut { kept[key] = count - cut }
        counts = kept
        errorBound += cut
    }

    /// Counters by decreasing count, ties by key.
    func sorted() -> [(key: String, count: Int64)] {
        counts.map { (key: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }
}

/// Exact counts of a numeric column's values while it has at most `capacity` distinct values; it gives exact
/// category counts for low-cardinality numbers and decides Evidently's "more than 5 (or 20) distinct values" rules.
struct SmallDomain: Sendable, Hashable, Codable {
    static let capacity = 32

    private(set) var values: [Double] = []
    private(set) var counts: [Int64] = []
    private(set) var isOverflowed = false

    /// Counts `x`; returns true when it already had a count (so it was inserted before).
    @inline(__always) @discardableResult
    mutating func insert(_ x: Double) -> Bool {
        if isOverflowed { return false }
        for index in values.indices where values[index] == x {
            counts[index] += 1
            return true
        }
        if values.count < Self.capacity {
            values.append(x)
            counts.append(1)
        } else {
            overflow()
        }
        return false
    }

    private mutating func overflow() {
        values = []
        counts = []
        isOverflowed = true
    }

    mutating func merge(_ other: SmallDomain) {
        if isOverflowed { return }
        if other.isOverflowed {
            overflow()
            return
        }
        for (value, count) in zip(other.values, other.counts) {
            if let index = values.firstIndex(of: value) {
                counts[index] += count
            } else if values.count < Self.capacity {
                values.append(value)
                counts.append(count)
            } else {
                overflow()
                return
            }
        }
    }
}

/// Stored summaries are checked on reading, so a damaged profile is a decoding error rather than a crash later.
extension FrequentItems {
    enum CodingKeys: String, CodingKey { case capacity, counts, errorBound }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try container.decode(Int.self, forKey: .capacity)
        counts = try container.decode([String: Int64].self, forKey: .counts)
        errorBound = try container.decode(Int64.self, forKey: .errorBound)
        guard (1...(1 << 20)).contains(capacity), counts.count <= capacity, counts.values.allSatisfy({ $0 > 0 }), errorBound >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "frequent-items table out of bounds")
        }
    }
}

extension SmallDomain {
    enum CodingKeys: String, CodingKey { case values, counts, isOverflowed }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        values = try container.decode([Double].self, forKey: .values)
        counts = try container.decode([Int64].self, forKey: .counts)
        isOverflowed = try container.decode(Bool.self, forKey: .isOverflowed)
        guard values.count == counts.count, values.count <= Self.capacity, Set(values).count == values.count else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "small-domain counts out of bounds")
        }
    }
}
