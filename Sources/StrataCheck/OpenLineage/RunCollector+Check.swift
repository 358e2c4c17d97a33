import Foundation
import Strata
import StrataCore
import StrataOffline

extension RunCollector {
    /// A consistency check reads the feature log (or, for a snapshot, the online tables) and the feature tables; its
    /// verdict per feature is a `dataQualityAssertions` facet on the feature table. A check over its threshold FAILs.
    mutating func check(_ report: CheckReport) throws -> LineageRun {
        let versions = try report.definitionVersions ?? store.appliedProject().versionsByName
        let viewNames = orderedViews(report)
        var inputs: [LineageDataset] = []
        if report.mode == "logs" {
            var log = LineageDataset(name: builder.naming.featureLog)
            log.facets = [("schema", Facet.schema(StoredSchema.featureLogColumns.map(Facet.Field.init))),
                          ("dataSource", builder.naming.dataSource(log.name.namespace))]
            log.inputFacets = [("inputStatistics", Facet.inputStatistics(rowCount: report.rowsReplayed))]
            inputs.append(log)
        }
        for view in viewNames {
            guard let version = report.viewVersions[view] else { continue }
            let spec = try table(view, version: version, versions)
            if report.mode != "logs" { inputs.append(builder.onlineTable(spec, origin: .materialized)) }
            var offline = builder.featureTable(spec)
            offline.inputFacets = [("dataQualityAssertions", Facet.dataQualityAssertions(assertions(report, view: view)))]
            inputs.append(offline)
        }
        let started = try Self.instant(report.createdAt, "check \(report.id)")
        let ended = try report.finishedAt.map { try Self.instant($0, "check \(report.id)") } ?? started
        return LineageRun(kind: .check, jobName: "check.\(report.mode)", localID: report.id, startedAt: started, endedAt: ended,
                          failure: failure(report), inputs: inputs, outputs: [])
    }

    private func orderedViews(_ report: CheckReport) -> [String] {
        var seen: [String] = []
        for feature in report.features {
            let view = String(feature.feature.split(separator: ":").first ?? "")
            if !seen.contains(view) { seen.append(view) }
        }
        return seen
    }

    /// One assertion per feature of the view: its mismatch rate within the threshold (or zero without one).
    private func assertions(_ report: CheckReport, view: String) -> [Facet.Assertion] {
        report.features.filter { $0.feature.hasPrefix(view + ":") }.map { parity in
            let reasons = parity.reasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return Facet.Assertion(assertion: "training_serving_parity", isSuccess: report.maxMismatch.map { parity.mismatchRate <= $0 } ?? (parity.mismatches == 0),
                                   column: String(parity.feature.dropFirst(view.count + 1)),
                                   expected: "mismatch rate <= \(report.maxMismatch.map { "\($0)" } ?? "0")",
                                   actual: "\(parity.mismatches) of \(parity.compared) mismatched" + (reasons.isEmpty ? "" : " (\(reasons))"))
        }
    }

    private func failure(_ report: CheckReport) -> String? {
        guard !report.passed, let max = report.maxMismatch else { return nil }
        let over = report.features.filter { $0.mismatchRate > max }.map(\.feature)
        return "\(over.count) feature\(over.count == 1 ? "" : "s") over the mismatch threshold \(max): \(over.joined(separator: ", "))"
    }
}
