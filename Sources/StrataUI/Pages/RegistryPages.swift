import Foundation
import Strata
import StrataCore
import StrataRegistry

extension WebUI {
    static let objectsPerPage = 100

    /// Every live object, or what a search finds (objects and features), filtered by kind, a page at a time.
    func registryPage(_ request: UIRequest) throws -> Page {
        let index = try registryIndex()
        let query = request.value("q")
        let kind = request.value("kind").flatMap(DefinitionKind.init(rawValue:))
        // Rows are built for the shown page only: a thousand dictionaries per request cost more than the rest of the
        // page. Matches are positions (in `items` for a search, in `entries` otherwise), not copies of what they name.
        let positions: [Int]
        if let query {
            positions = index.searchIndexes(query, limit: Int.max) { kind == nil || index.entries[index.items[$0].entryIndex].object.kind == kind }
        } else {
            positions = index.entries.indices.filter { kind == nil || index.entries[$0].object.kind == kind }
        }
        let pager = Pager(page: request.page(), perPage: Self.objectsPerPage, total: positions.count) { page in
            "/ui/registry" + HTML.query([("q", query), ("kind", kind?.rawValue), ("page", String(page))])
        }
        let rows = pager.slice(positions).map { position -> [String: Any] in
            guard query != nil else {
                let entry = index.entries[position]
                return objectRow(entry, label: entry.object.name, url: UIPaths.object(entry.object.kind, entry.object.name), match: nil)
            }
            let item = index.items[position], entry = index.entries[item.entryIndex]
            var row = objectRow(entry, label: item.label, url: item.url, match: item.feature.map { "feature \($0) of this view" })
            if item.feature != nil {
                row["kind"] = "feature"
                row["description"] = item.featureDescription ?? ""
            }
            return row
        }
        let kinds: [[String: Any]] = [["value": "", "label": "all kinds", "selected": kind == nil]]
            + DefinitionKind.allCases.map { ["value": $0.rawValue, "label": $0.displayName, "selected": $0 == kind] }
        let count = positions.count
        let summary = query.map { "\(count) match\(count == 1 ? "" : "es") for “\($0)”" } ?? "\(count) object\(count == 1 ? "" : "s")"
        let context: [String: Any] = ["query": query ?? "", "kinds": kinds, "summary": summary, "objects": rows, "pager": pager.html]
        return Page(title: "Registry", section: .registry, id: "registry", body: renderer.render("registry", context))
    }

    private func objectRow(_ entry: RegistryIndex.Entry, label: String, url: String, match: String?) -> [String: Any] {
        ["name": label, "href": url, "kind": entry.object.kind.displayName, "version": entry.object.version, "owner": entry.owner ?? "",
         "tags": entry.tags, "description": entry.description ?? "", "match": Self.optional(match)]
    }

    /// `GET /ui/search.json?q=`: the first matches for search-as-you-type, as `{"results": [{label, kind, url}]}`.
    func searchJSON(_ request: UIRequest) throws -> UIResponse {
        let items = try request.value("q").map { try registryIndex().search($0, limit: 12) } ?? []
        let results = items.map { ["label": $0.label, "kind": $0.kind, "url": $0.url] }
        let data = try JSONSerialization.data(withJSONObject: ["results": results], options: [.sortedKeys])
        return UIResponse(contentType: "application/json", body: String(decoding: data, as: UTF8.self))
    }

    /// An object's current (or chosen) version, its features, who uses it and its whole history.
    func objectPage(kindText: String, name: String, request: UIRequest) throws -> Page {
        let kind = try Self.kind(kindText)
        let history = try store.registryHistory(name: name, kind: kind)
        guard let latest = history.last else { throw UIProblem.notFound("No \(kind.displayName) is called `\(name)`.") }
        let version = request.value("version").flatMap(Int.init) ?? latest.version
        guard let shown = history.first(where: { $0.version == version }) else {
            throw UIProblem.notFound("`\(name)` has no version \(version) (versions 1…\(latest.version)).", fix: "pick a version from the history")
        }
        let definition = try shown.spec.map { try CanonicalJSON.decode(kind: kind, $0, name: name, version: shown.version) }
        let (owner, description, tags) = definition.map(RegistryIndex.humanFields) ?? (nil, nil, [])
        let base = UIPaths.object(kind, name)
        let versions = history.map(\.version)
        let previous = versions.count > 1 ? versions[versions.count - 2] : latest.version
        var context: [String: Any] = [
            "kindLabel": Self.sentenceCase(kind.displayName), "name": name, "version": shown.version, "removed": shown.isRemoved,
            "owner": Self.optional(owner), "description": description ?? "", "tags": tags, "definition": Self.prettyJSON(shown.spec),
            "usedBy": try usedBy(kind: kind, name: name), "diffAction": base + "/diff",
            "versionOptions": versions.reversed().map { ["v": $0, "isFrom": $0 == previous, "isTo": $0 == latest.version] as [String: Any] },
            "history": history.reversed().map { object -> [String: Any] in
                ["version": object.version, "href": base + "?version=\(object.version)", "revision": object.revision,
                 "at": HTML.time(object.appliedAtMicros), "author": object.author, "message": object.message ?? "",
                 "breaking": object.isBreaking, "removed": object.isRemoved,
                 "diffHref": Self.optional(object.version > 1 ? base + "/diff?from=\(object.version - 1)&to=\(object.version)" : nil)]
            },
        ]
        if case .view(let view) = definition {
            let features = Self.featureRows(view)
            context["features"] = features
            context["hasFeatures"] = !features.isEmpty
        }
        return Page(title: name, section: .registry, id: "object", body: renderer.render("object", context))
    }

    static func featureRows(_ view: FeatureViewDefinition) -> [[String: Any]] {
        view.features.map { f in
            ["name": f.name, "href": UIPaths.feature(view.name, f.name), "type": f.type.rawValue, "expression": f.expression, "description": f.description ?? ""]
        } + view.aggregations.map { a in
            ["name": a.name, "href": UIPaths.feature(view.name, a.name), "type": "aggregation", "expression": aggregationText(a), "description": a.description ?? ""]
        }
    }

    /// `avg(fare) over 7d, hop 1h, where status = 'completed'`.
    static func aggregationText(_ a: AggregationDefinition) -> String {
        let input = a.column ?? a.expression ?? "*"
        var text = "\(a.function.rawValue)(\(input)) over \(FeatureDuration.format(a.windowMicros))"
        text += a.hopMicros == 0 ? ", exact sliding" : ", hop \(FeatureDuration.format(a.hopMicros))"
        if let filter = a.filter { text += ", where \(filter)" }
        return text
    }

    /// Services using a view (and the training sets built from each of its versions), views of a source or entity.
    private func usedBy(kind: DefinitionKind, name: String) throws -> [[String: Any]] {
        let index = try registryIndex()
        let d = index.definitions
        switch kind {
        case .view:
            let services = (index.servicesByView[name] ?? []).map { ["kind": "service", "name": $0, "href": UIPaths.object(.service, $0)] as [String: Any] }
            let sets = (try runIndex().trainingSetsByView[name] ?? []).prefix(50).map {
                ["kind": "training set", "name": $0.id, "href": UIPaths.trainingSet($0.id), "detail": "built from v\($0.version)"] as [String: Any]
            }
            return services + sets
        case .source:
            return d.views.filter { $0.source == name }.map { ["kind": "feature view", "name": $0.name, "href": UIPaths.object(.view, $0.name)] }
        case .entity:
            return d.views.filter { $0.entities.contains(name) }.map { ["kind": "feature view", "name": $0.name, "href": UIPaths.object(.view, $0.name)] }
        case .service:
            return []
        }
    }

    /// "feature view" → "Feature view".
    static func sentenceCase(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    static func kind(_ text: String) throws -> DefinitionKind {
        guard let kind = DefinitionKind(rawValue: text) else {
            throw UIProblem.notFound("`\(text)` is not a kind of registry object.",
                                     fix: "use one of \(DefinitionKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// Canonical JSON indented for reading; the text as stored when it is not JSON.
    static func prettyJSON(_ text: String?) -> String {
        guard let text else { return "(removed)" }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
