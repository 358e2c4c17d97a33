package import StrataOffline

/// Reads for browsing the project (the web UI): counts that stamp caches, and quarantine by page.
extension FeatureStore {
    /// How many training sets and check reports are recorded (they are only ever added).
    package func recordCounts() throws -> (trainingSets: Int, checkReports: Int) { try registry.recordCounts() }

    /// One page of quarantined rows matching a source and a reason substring, with the total matching.
    package func quarantinePage(source: String?, reasonContains: String?, offset: Int, limit: Int) throws -> QuarantinePage {
        try offline.quarantinePage(source: source, reasonContains: reasonContains, offset: offset, limit: limit)
    }

    /// The most frequent quarantine reasons (optionally of one source) with their counts.
    package func quarantineReasonCounts(source: String?, limit: Int) throws -> [(reason: String, count: Int)] {
        try offline.quarantineReasonCounts(source: source, limit: limit)
    }

    /// Ingest runs that failed (only their job record remains), oldest first, without reading the rest of the run history.
    package func failedIngests() throws -> [FailedIngest] {
        try registry.jobRuns().filter { $0.kind == "ingest" && $0.outcome == .failed }.map { FailedIngest(record: $0, detail: try decodeDetail($0)) }
    }
}
