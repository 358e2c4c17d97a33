import StrataCore
import StrataRegistry

extension WebUI {
    /// Two versions of an object side by side, field by field, with the breaking changes between them named and their
    /// fields marked.
    func diffPage(kindText: String, name: String, request: UIRequest) throws -> Page {
        let kind = try Self.kind(kindText)
        let history = try store.registryHistory(name: name, kind: kind)
        guard let latest = history.last else { throw UIProblem.notFound("No \(kind.displayName) is called `\(name)`.") }
        func version(_ parameter: String, default value: Int) throws -> RegistryObject {
            let wanted = request.value(parameter).flatMap(Int.init) ?? value
            guard let found = history.first(where: { $0.version == wanted }) else {
                throw UIProblem.notFound("`\(name)` has no version \(wanted) (versions 1…\(latest.version)).",
                                         fix: "pass `\(parameter)` between 1 and \(latest.version)")
            }
            return found
        }
        let old = try version("from", default: max(1, latest.version - 1))
        let new = try version("to", default: latest.version)
        let decode = { (object: RegistryObject) throws -> AnyDefinition? in
            try object.spec.map { try CanonicalJSON.decode(kind: kind, $0, name: name, version: object.version) }
        }
        let services = try registryIndex().definitions.services
        // The same fields, by the same YAML paths, as `strata registry diff` and `plan` (`DefinitionFields`).
        let oldDefinition = try decode(old), newDefinition = try decode(new)
        let a = oldDefinition.map(DefinitionFields.fields) ?? [:], b = newDefinition.map(DefinitionFields.fields) ?? [:]
        let breaking = BreakingChangeRules.reasons(old: oldDefinition, new: newDefinition, services: services)
        let breakingFields = Self.breakingFields(kind: kind, breaking: breaking)
        var changeCount = 0
        // Changed fields first, so the change is on screen without scrolling; unchanged ones follow, muted.
        let paths = Set(a.keys).union(b.keys).sorted()
        let ordered = paths.filter { a[$0] != b[$0] } + paths.filter { a[$0] == b[$0] }
        let rows: [[String: Any]] = ordered.map { path in
            let isChanged = a[path] != b[path]
            if isChanged { changeCount += 1 }
            let isBreaking = isChanged && !Self.isHumanField(path)
                && breakingFields.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
            return ["path": path, "old": a[path] ?? "—", "new": b[path] ?? "—", "rowClass": isBreaking ? "breaking" : isChanged ? "changed" : "same"]
        }
        let context: [String: Any] = [
            "kindLabel": Self.sentenceCase(kind.displayName), "name": name, "objectHref": UIPaths.object(kind, name),
            "from": old.version, "to": new.version, "fromAt": HTML.time(old.appliedAtMicros), "toAt": HTML.time(new.appliedAtMicros),
            "fromAuthor": old.author, "toAuthor": new.author, "breaking": breaking, "hasBreaking": !breaking.isEmpty,
            "changeCount": changeCount, "rows": rows,
        ]
        return Page(title: "\(name) v\(old.version)→v\(new.version)", section: .registry, id: "diff", body: renderer.render("diff", context))
    }

    /// Descriptions, owners and tags never change the meaning of data.
    static func isHumanField(_ path: String) -> Bool {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        return ["description", "owner", "tags"].contains(last)
    }

    /// The top-level fields whose change the breaking-change rules judge, for marking rows: the rules speak about
    /// keys, types, expressions, TTL, sources and features, which live under these YAML fields.
    static func breakingFields(kind: DefinitionKind, breaking: [String]) -> [String] {
        guard !breaking.isEmpty else { return [] }
        switch kind {
        case .entity: return ["join_keys"]
        case .source: return ["schema", "timestamp", "created", "format", "id"]
        case .view: return ["entities", "source", "ttl", "features", "aggregations"]
        case .service: return ["features"]
        }
    }
}
