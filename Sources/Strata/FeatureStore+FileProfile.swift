public import Foundation
public import StrataCore
public import StrataOffline

extension FeatureStore {
    /// Profiles a file as the applied source `source` would ingest it, storing nothing: the same columns as an ingest
    /// run's profile (schema, time columns, each view's row features as `view:feature`), plus the rows an ingest would
    /// quarantine. The file is read in the source's format (CSV or JSON Lines).
    ///
    /// ```swift
    /// let report = try store.profile(file: URL(fileURLWithPath: "drivers.csv"), displayPath: "drivers.csv", source: "driver_stats_source")
    /// let summary = ProfileSummary(report.profile)     // what `strata profile --file drivers.csv --source …` prints
    /// ```
    /// - Throws: `QualityError` for a missing file; `FeatureStoreError.nothingApplied`, `.unknownSource` (with a near
    ///   miss); `OfflineStoreError` for an unreadable, empty, changing or badly headed file.
    public func profile(file: URL, displayPath: String, source name: String, now: Int64 = currentMicros()) throws -> FileProfileReport {
        let snapshot = try preparedSnapshot()
        let applied = snapshot.applied
        let definitions = applied.compiled.definitions
        guard let source = definitions.source(name) else {
            throw FeatureStoreError.unknownSource(name, suggestion: nearMiss(name, in: definitions.sources.map(\.name)))
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw QualityError("file \(displayPath) does not exist", fix: "pass the path of the file to profile (relative to the current directory)")
        }
        let request = try ingestRequest(source, snapshot: snapshot, input: .file(file), displayPath: displayPath, isStrict: false, now: now)
        return try OfflineStore.profileFile(request)
    }
}
