import StrataCheck
import StrataCore
import StrataOffline

extension WebUI {
    /// One example mismatch of a report traced to its origin: the offline winner (known mode, as serving could have
    /// seen it) with its source file line, ingest run and expressions, next to what online serves now.
    func exampleLineagePage(reportID: String, number text: String) throws -> Page {
        guard let report = try runIndex().report(reportID) else {
            throw UIProblem.notFound("No check report has the id `\(reportID)`.", fix: "pick one from the parity page")
        }
        guard let number = Int(text), number >= 1, number <= report.examples.count else {
            throw UIProblem.notFound("Report \(reportID) has examples 1…\(report.examples.count), not `\(text)`.")
        }
        let example = report.examples[number - 1]
        let view = String(example.feature.replacingOccurrences(of: "__", with: ":").split(separator: ":").first ?? "")
        let definitions = try registryIndex().definitions
        guard let definition = definitions.view(view) else {
            throw UIProblem.notFound("The feature view `\(view)` of this example is no longer applied, so its lineage cannot be traced.")
        }
        let keys: [String: KeyPart]
        do { keys = try KeyCodec(keys: definitions.joinKeys(of: definition)).typed(example.keys) } catch {
            throw UIProblem(status: 500, heading: "The report cannot be traced", message: "its keys \(example.keys) do not match the view's join keys: \(error.what)")
        }
        guard case .success(let at) = Timestamp.parse(example.requestTime) else {
            throw UIProblem(status: 500, heading: "The report cannot be traced", message: "its request time `\(example.requestTime)` is not a time")
        }
        // The view version the check compared, not today's: a breaking change since then starts a new, empty table.
        let spec = try store.recordedFeatureTable(view: view, version: report.viewVersions[view] ?? (try registryIndex().entry(.view, view)?.object.version ?? 1),
                                                  definitionVersions: report.definitionVersions ?? [:])
        let lineage = try LineageTracer.trace(store, spec: spec, keys: keys, at: at, options: JoinOptions(corrections: .known))
        var context: [String: Any] = [
            "feature": example.feature, "keys": example.keys.description, "time": HTML.time(at), "reportID": report.id, "reportHref": UIPaths.report(report.id),
            "online": example.online, "onlineStatus": example.onlineStatus, "offline": example.offline, "offlineStatus": example.offlineStatus,
            "reason": example.reason, "view": lineage.view, "viewVersion": lineage.viewVersion, "viewHref": UIPaths.object(.view, lineage.view),
            "status": lineage.status, "eventTime": HTML.time(lineage.eventTs), "createdTime": HTML.time(lineage.createdTs),
            "lineageID": lineage.lineageID.map(String.init) ?? "—", "onlineLineageID": lineage.onlineLineageID.map(String.init) ?? "—",
            "onlineEventTime": HTML.time(lineage.onlineEventTs),
            "values": lineage.values.keys.sorted().map { ["name": $0, "value": lineage.values[$0] ?? "", "expression": lineage.expressions[$0] ?? ""] },
            "sourceValues": lineage.sourceValues.keys.sorted().map { ["name": $0, "value": lineage.sourceValues[$0] ?? ""] },
        ]
        if let source = lineage.source {
            context["source"] = ["file": source.file, "line": source.line, "name": source.source, "version": source.sourceVersion, "runID": source.runID,
                                 "runStarted": HTML.time(source.runStartedAtMicros), "sha": String(source.fileSHA256.prefix(12))] as [String: Any]
        }
        return Page(title: "Lineage of \(example.feature)", section: .parity, id: "example-lineage", body: renderer.render("exampleLineage", context))
    }

}
