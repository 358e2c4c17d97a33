import Foundation
import Strata
import StrataCore

extension WebUI {
    static let trainingSetsPerPage = 100
    /// Ingest runs drawn per view in the lineage graph; more are summarised in one node.
    static let graphRunsPerView = 6

    /// Every recorded training set, newest first, a page at a time.
    func trainingSetsPage(_ request: UIRequest) throws -> Page {
        let sets = try runIndex().trainingSets
        let pager = Pager(page: request.page(), perPage: Self.trainingSetsPerPage, total: sets.count) { "/ui/training-sets?page=\($0)" }
        let rows: [[String: Any]] = pager.slice(sets).map { m in
            ["id": m.id, "href": UIPaths.trainingSet(m.id), "created": HTML.time(m.createdAt), "rows": m.rowCount,
             "features": Self.listText(m.features, max: 4), "mode": Self.modeText(m), "output": m.output.path, "reproducedFrom": Self.optional(m.reproducedFrom)]
        }
        let context: [String: Any] = ["sets": rows, "pager": pager.html, "summary": "\(sets.count) training set\(sets.count == 1 ? "" : "s"), newest first"]
        return Page(title: "Training sets", section: .trainingSets, id: "training-sets", body: renderer.render("trainingSets", context))
    }

    /// One training set: manifest, the command that reproduces it and its lineage graph.
    func trainingSetPage(id: String) throws -> Page {
        guard let manifest = try runIndex().trainingSet(id) else {
            throw UIProblem.notFound("No training set has the id `\(id)`.", fix: "pick one from the training-set list")
        }
        let views: [[String: Any]] = manifest.views.map { v in
            ["name": v.name, "version": v.version, "href": UIPaths.object(.view, v.name) + "?version=\(v.version)", "source": v.source,
             "sourceVersion": v.sourceVersion, "sourceHref": UIPaths.object(.source, v.source) + "?version=\(v.sourceVersion)",
             "features": v.features.joined(separator: ", "), "runs": v.ingestRuns.map(String.init).joined(separator: ", "),
             "statuses": v.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
        }
        let context: [String: Any] = [
            "id": manifest.id, "rows": manifest.rowCount, "created": HTML.time(manifest.createdAt), "finished": Self.optional(manifest.finishedAt.map(HTML.time)),
            "mode": Self.modeText(manifest), "strict": manifest.isStrict, "views": views, "graph": try lineageGraph(manifest).svg,
            "reproduce": "strata historical --reproduce \(manifest.id) --out \(Self.shellQuoted(manifest.output.path))",
            "manifest": Self.prettyJSON(try manifest.json()),
        ]
        return Page(title: manifest.id, section: .trainingSets, id: "training-set", body: renderer.render("trainingSet", context))
    }

    /// Source files and ingest runs → view versions → the training set → the services that use those views today.
    func lineageGraph(_ manifest: TrainingSetManifest) throws -> LayeredGraph {
        var files: [LayeredGraph.Node] = [], runs: [LayeredGraph.Node] = [], views: [LayeredGraph.Node] = []
        var edges: [(from: String, to: String)] = []
        var seen = Set<String>()
        let tsID = "ts:" + manifest.id
        for view in manifest.views {
            let viewID = "view:\(view.name):\(view.version)"
            views.append(.init(id: viewID, label: "\(view.name) v\(view.version)", kind: "view", href: UIPaths.object(.view, view.name) + "?version=\(view.version)"))
            edges.append((viewID, tsID))
            let fileID = "source:\(view.source):\(view.sourceVersion)"
            if seen.insert(fileID).inserted {
                let path = try store.recordedSource(view.source, version: view.sourceVersion).path
                files.append(.init(id: fileID, label: String(path.split(separator: "/").last ?? Substring(path)), kind: "file",
                                   href: UIPaths.object(.source, view.source) + "?version=\(view.sourceVersion)",
                                   detail: "\(path) (source \(view.source) v\(view.sourceVersion))"))
            }
            let shown = view.ingestRuns.suffix(Self.graphRunsPerView)
            if view.ingestRuns.count > shown.count {
                let moreID = "more:\(viewID)"
                runs.append(.init(id: moreID, label: "+\(view.ingestRuns.count - shown.count) earlier runs", kind: "run", href: nil))
                edges.append((fileID, moreID)); edges.append((moreID, viewID))
            }
            for run in shown {
                let runID = "run:\(run)"
                if seen.insert(runID).inserted { runs.append(.init(id: runID, label: "ingest run \(run)", kind: "run", href: "/ui/quality")) }
                edges.append((fileID, runID)); edges.append((runID, viewID))
            }
            if view.ingestRuns.isEmpty { edges.append((fileID, viewID)) }
        }
        let used = Set(manifest.views.map(\.name))
        let services = try registryIndex().definitions.services.filter { $0.features.contains { used.contains($0.view) } }
        let serviceNodes = services.map { LayeredGraph.Node(id: "svc:" + $0.name, label: $0.name, kind: "svc", href: UIPaths.object(.service, $0.name)) }
        for node in serviceNodes { edges.append((tsID, node.id)) }
        let ts = LayeredGraph.Node(id: tsID, label: manifest.id, kind: "ts", href: nil)
        return LayeredGraph(columns: [files, runs, views, [ts], serviceNodes].filter { !$0.isEmpty }, edges: edges)
    }

    static func modeText(_ m: TrainingSetManifest) -> String { m.asOf.map { "as of \(HTML.time($0))" } ?? m.corrections }

    static func listText(_ items: [String], max: Int) -> String {
        items.count <= max ? items.joined(separator: ", ") : items.prefix(max).joined(separator: ", ") + " and \(items.count - max) more"
    }

    /// Quotes a path for a POSIX shell when it holds anything but safe characters.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { CharacterSet.shellSafe.contains($0) }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension CharacterSet {
    static let shellSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
}
