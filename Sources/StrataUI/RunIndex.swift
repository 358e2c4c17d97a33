import Foundation
import Strata
import StrataCheck

/// Decoded training-set manifests and check reports, newest first, with the training sets of each view version.
/// Records are only ever added, so the counts stamp it: decoding a thousand manifests per request would not fit the
/// page-time budget.
struct RunIndex: Sendable {
    var trainingSetCount: Int
    var checkReportCount: Int
    var trainingSets: [TrainingSetManifest]
    var reports: [CheckReport]
    /// View name → (view version, training-set id), newest training set first.
    var trainingSetsByView: [String: [(version: Int, id: String)]]

    init(store: FeatureStore) throws {
        let counts = try store.recordCounts()
        trainingSets = try store.trainingSetManifests()
        reports = try store.checkReports()
        var byView: [String: [(version: Int, id: String)]] = [:]
        for manifest in trainingSets {
            for view in manifest.views { byView[view.name, default: []].append((view.version, manifest.id)) }
        }
        trainingSetsByView = byView
        // Counted before reading: a record added in between makes the next request rebuild, never miss it.
        trainingSetCount = min(counts.trainingSets, trainingSets.count)
        checkReportCount = min(counts.checkReports, reports.count)
    }

    func trainingSet(_ id: String) -> TrainingSetManifest? { trainingSets.first { $0.id == id } }
    func report(_ id: String) -> CheckReport? { reports.first { $0.id == id } }
}
