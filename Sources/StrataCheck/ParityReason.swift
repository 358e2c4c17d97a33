public import StrataCore

/// One side of a comparison: what was served online, or what the offline join gives.
public struct ParitySide: Sendable, Hashable {
    public var status: FeatureStatus
    public var value: Value
    public var eventTs: Int64?
    public var lineageID: Int64?
    /// When the row's ingest run started (the moment it became known to the system), if known.
    public var ingestedAt: Int64?
    public var createdTs: Int64?

    public init(status: FeatureStatus, value: Value, eventTs: Int64?, lineageID: Int64?, ingestedAt: Int64? = nil, createdTs: Int64? = nil) {
        self.status = status
        self.value = value
        self.eventTs = eventTs
        self.lineageID = lineageID
        self.ingestedAt = ingestedAt
        self.createdTs = createdTs
    }
}

/// Why an online value and the offline join disagree (SPEC "Parity"), decided from the lineage of both values.
public enum ParityReason: String, Sendable, Codable, CaseIterable {
    /// The offline winner (or the served row) became known to the system after the lookup.
    case lateWrite = "late_write"
    /// One side is within a second of the TTL boundary and the two disagree about expiry.
    case ttlEdge = "ttl_edge"
    /// Both sides picked rows with the same event time but different rows.
    case tieBreak = "tie_break"
    /// Online served a row the offline store does not have (deleted, quarantined, or never ingested).
    case missingInOffline = "missing_in_offline"
    /// Offline has a value the online store did not serve (not materialized, or stale).
    case missingInOnline = "missing_in_online"
    /// Same source row, different value: the transform computed differently online and offline. For a windowed
    /// aggregation: the same events, a different value.
    case valueDrift = "value_drift"
    /// A windowed aggregation whose window at the lookup has an event exactly on a boundary (`lower` or the lookup
    /// time): the serving side drew the window's edge differently.
    case windowEdge = "window_edge"

    static let ttlTolerance: Int64 = 1_000_000

    /// Classifies a disagreement at request time `t`. `onlineRowKnownOffline` is the offline lineage of the served row, if it exists.
    public static func classify(online: ParitySide, offline: ParitySide, onlineRowOffline: ParitySide?, t: Int64, ttl: Int64?) -> ParityReason {
        let nearEdge: (Int64?) -> Bool = { event in
            guard let ttl, let event else { return false }
            return abs(event - (t - ttl)) <= ttlTolerance
        }
        if offline.status == .present, let ingested = offline.ingestedAt, ingested > t, offline.lineageID != online.lineageID {
            return .lateWrite
        }
        switch (online.status, offline.status) {
        case (.present, .present):
            if online.lineageID == offline.lineageID { return .valueDrift }
            if let a = online.eventTs, let b = offline.eventTs, a == b { return .tieBreak }
            if let a = online.eventTs, let b = offline.eventTs, a < b { return .missingInOnline }
            return servedRowReason(onlineRowOffline, t)
        case (.notFound, .present):
            return .missingInOnline
        case (.present, .notFound):
            return servedRowReason(onlineRowOffline, t)
        case (.expired, .present):
            return nearEdge(offline.eventTs) || nearEdge(online.eventTs) ? .ttlEdge : .missingInOnline
        case (.present, .expired):
            return nearEdge(online.eventTs) || nearEdge(offline.eventTs) ? .ttlEdge : servedRowReason(onlineRowOffline, t)
        default:
            if nearEdge(online.eventTs) || nearEdge(offline.eventTs) { return .ttlEdge }
            return online.status == .notFound ? .missingInOnline : .missingInOffline
        }
    }

    /// Online served a row the offline join does not pick: unknown offline, or known only after the lookup.
    static func servedRowReason(_ row: ParitySide?, _ t: Int64) -> ParityReason {
        guard let row else { return .missingInOffline }
        if let created = row.createdTs, created > t { return .lateWrite }
        if let ingested = row.ingestedAt, ingested > t { return .lateWrite }
        return .missingInOffline
    }

    /// Equal status and, when present, equal value (floats to a relative 1e-9; bools and 0/1 are equal).
    public static func agree(_ a: ParitySide, _ b: ParitySide) -> Bool {
        guard a.status == b.status else { return false }
        guard a.status == .present else { return true }
        return valuesEqual(a.value, b.value)
    }

    public static func valuesEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.bool(let x), .int(let y)), (.int(let y), .bool(let x)): return (x ? 1 : 0) == y
        default:
            guard let x = a.doubleValue, let y = b.doubleValue, !(a.isNull || b.isNull) else { return false }
            if case .int(let i) = a, case .int(let j) = b { return i == j }
            return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        }
    }
}
