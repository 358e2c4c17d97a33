import Strata
import StrataCore
import StrataRegistry

/// Everything the registry pages need from one registry revision, built once per revision: the live objects with
/// their definitions, a lower-cased search index over names, owners, tags, descriptions and feature names, and who
/// uses what. Built in one pass so search and listings never decode a stored spec per request.
struct RegistryIndex: Sendable {
    struct Entry: Sendable {
        var object: RegistryObject
        var definition: AnyDefinition
        var owner: String?
        var description: String?
        var tags: [String]
    }

    /// One searchable thing: an object or a feature of a view.
    struct SearchItem: Sendable {
        var label: String
        var kind: String
        var url: String
        /// Lower-cased name, owner, tags and description, joined by newlines (which no search text contains).
        var haystack: [UInt8]
        /// What matched, shown under the name: for an object found by a feature name, the feature.
        var entryIndex: Int
        var feature: String?
        /// The feature's own description, shown instead of its view's.
        var featureDescription: String?
    }

    var revision: Int
    var entries: [Entry]
    var items: [SearchItem]
    var definitions: ProjectDefinitions
    /// Feature view name → services requesting any of its features.
    var servicesByView: [String: [String]]
    var lastApply: RegistryRevision?

    static let empty = RegistryIndex(revision: 0, entries: [], items: [], definitions: ProjectDefinitions(), servicesByView: [:], lastApply: nil)

    init(revision: Int, entries: [Entry], items: [SearchItem], definitions: ProjectDefinitions, servicesByView: [String: [String]], lastApply: RegistryRevision?) {
        self.revision = revision
        self.entries = entries
        self.items = items
        self.definitions = definitions
        self.servicesByView = servicesByView
        self.lastApply = lastApply
    }

    /// Reads and indexes the registry's current revision.
    init(store: FeatureStore) throws {
        let revision = try store.registryRevision()
        guard revision > 0 else { self = .empty; return }
        let definitions = try store.appliedProject().compiled.definitions
        var byKey: [String: AnyDefinition] = [:]
        for e in definitions.entities { byKey["entity/" + e.name] = .entity(e) }
        for s in definitions.sources { byKey["source/" + s.name] = .source(s) }
        for v in definitions.views { byKey["feature_view/" + v.name] = .view(v) }
        for s in definitions.services { byKey["feature_service/" + s.name] = .service(s) }
        var entries: [Entry] = []
        var items: [SearchItem] = []
        for object in try store.registryObjects() {
            guard let definition = byKey[object.kind.rawValue + "/" + object.name] else { continue }
            let (owner, description, tags) = Self.humanFields(definition)
            let index = entries.count
            entries.append(Entry(object: object, definition: definition, owner: owner, description: description, tags: tags))
            let fields = [object.name, owner ?? "", description ?? ""] + tags
            items.append(SearchItem(label: object.name, kind: object.kind.displayName, url: UIPaths.object(object.kind, object.name),
                                    haystack: Array(fields.joined(separator: "\n").lowercased().utf8), entryIndex: index, feature: nil, featureDescription: nil))
            if case .view(let view) = definition {
                for (name, text) in view.features.map({ ($0.name, $0.description ?? "") }) + view.aggregations.map({ ($0.name, $0.description ?? "") }) {
                    items.append(SearchItem(label: "\(view.name):\(name)", kind: "feature", url: UIPaths.feature(view.name, name),
                                            haystack: Array((name + "\n" + text).lowercased().utf8), entryIndex: index, feature: name, featureDescription: text))
                }
            }
        }
        var servicesByView: [String: [String]] = [:]
        for service in definitions.services {
            for view in Set(service.features.map(\.view)).sorted() { servicesByView[view, default: []].append(service.name) }
        }
        self.init(revision: revision, entries: entries, items: items, definitions: definitions, servicesByView: servicesByView,
                  lastApply: try store.registryRevisions().first)
    }

    static func humanFields(_ definition: AnyDefinition) -> (String?, String?, [String]) {
        switch definition {
        case .entity(let e): return (e.owner, e.description, e.tags)
        case .source(let s): return (s.owner, s.description, s.tags)
        case .view(let v): return (v.owner, v.description, v.tags)
        case .service(let s): return (s.owner, s.description, s.tags)
        }
    }

    /// Search items containing `text` (case-insensitive), objects before features, at most `limit`.
    func search(_ text: String, limit: Int) -> [SearchItem] {
        searchIndexes(text, limit: limit).map { items[$0] }
    }

    /// Positions in `items` of the search items containing `text` (case-insensitive) that `accept` takes, at most
    /// `limit`. Positions rather than items: the results page counts a thousand matches but shows a hundred, and
    /// copying every matching item (and its entry) was a third of that page's time in a profile.
    func searchIndexes(_ text: String, limit: Int, accept: (Int) -> Bool = { _ in true }) -> [Int] {
        let needle = Array(text.lowercased().utf8)
        var found: [Int] = []
        for position in items.indices where Self.contains(items[position].haystack, needle) && accept(position) {
            found.append(position)
            if found.count == limit { break }
        }
        return found
    }

    /// Byte substring search: String.contains went through Unicode-aware comparison on every item.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    func entry(_ kind: DefinitionKind, _ name: String) -> Entry? {
        entries.first { $0.object.kind == kind && $0.object.name == name }
    }
}

/// The UI's URLs in one place, so links and routes cannot drift apart.
enum UIPaths {
    static func object(_ kind: DefinitionKind, _ name: String) -> String { "/ui/registry/\(kind.rawValue)/\(HTML.urlComponent(name))" }
    static func feature(_ view: String, _ feature: String) -> String { "/ui/feature/\(HTML.urlComponent(view))/\(HTML.urlComponent(feature))" }
    static func trainingSet(_ id: String) -> String { "/ui/training-sets/\(HTML.urlComponent(id))" }
    static func report(_ id: String) -> String { "/ui/parity/\(HTML.urlComponent(id))" }
}
