public import StrataCore

/// What `apply` would do: each added, changed or removed object, against a base revision.
public struct RegistryPlan: Codable, Sendable {
    /// The registry revision the plan was computed against; `apply` refuses if it moved.
    public var baseRevision: Int
    public var changes: [PlannedChange]

    public var isEmpty: Bool { changes.isEmpty }
    public var breakingChanges: [PlannedChange] { changes.filter(\.isBreaking) }
}

/// One object's change in a plan.
public struct PlannedChange: Codable, Sendable, Hashable {
    public enum Action: String, Codable, Sendable { case added, changed, removed }

    public var kind: DefinitionKind
    public var name: String
    public var action: Action
    public var fromVersion: Int?
    public var toVersion: Int
    public var isBreaking: Bool
    public var reasons: [String]
    public var fields: [FieldChange]
    /// The canonical JSON to store; nil for removals.
    public var spec: String?
    /// For sources and feature views: the fingerprint of what decides the new version's stored bytes.
    public var storageFingerprint: String? = nil
    /// Set when the change undoes someone else's: "reverts ana's change of revision 7 to feature view `driver_stats`",
    /// or "removes ana's feature service `ranking` (revision 7)". `apply` refuses it without `--allow-revert`.
    public var reverts: String? = nil
}

extension RegistryPlan {
    /// Compares the project's definitions with the latest live version of every registry object.
    /// - Throws: `RegistryError.corruptRecord` when a stored definition cannot be decoded, or an encoding error.
    static func compute(current: [RegistryObject], desired: ProjectDefinitions, baseRevision: Int) throws -> RegistryPlan {
        var wanted: [String: (DefinitionKind, String, String)] = [:]
        func encode(_ value: some Encodable, _ kind: DefinitionKind, _ name: String) throws -> (DefinitionKind, String, String) {
            do {
                return (kind, name, try CanonicalJSON.encode(value))
            } catch {
                throw RegistryError.corruptRecord(record: "\(kind.rawValue) `\(name)`", reason: "its definition cannot be written as JSON: \(error)")
            }
        }
        for e in desired.entities { wanted["entity/\(e.name)"] = try encode(e, .entity, e.name) }
        for s in desired.sources { wanted["\(DefinitionKind.source.rawValue)/\(s.name)"] = try encode(s, .source, s.name) }
        for v in desired.views { wanted["\(DefinitionKind.view.rawValue)/\(v.name)"] = try encode(v, .view, v.name) }
        for s in desired.services { wanted["\(DefinitionKind.service.rawValue)/\(s.name)"] = try encode(s, .service, s.name) }
        var latest: [String: RegistryObject] = [:]
        for object in current { latest["\(object.kind.rawValue)/\(object.name)"] = object }
        let live = latest.filter { !$0.value.isRemoved }

        var changes: [PlannedChange] = []
        for key in Set(wanted.keys).union(live.keys).sorted() {
            let old = live[key]
            let new = wanted[key]
            if let old, let new, old.spec == new.2 { continue }
            guard let kind = new?.0 ?? old?.kind, let name = new?.1 ?? old?.name else { continue }
            let oldDefinition = try old.flatMap { o in try o.spec.map { try CanonicalJSON.decode(kind: kind, $0, name: name, version: o.version) } }
            let newDefinition = try new.map { try CanonicalJSON.decode(kind: kind, $0.2, name: name, version: (latest[key]?.version ?? 0) + 1) }
            let reasons = BreakingChangeRules.reasons(old: oldDefinition, new: newDefinition, services: desired.services)
            let action: PlannedChange.Action = old == nil ? .added : new == nil ? .removed : .changed
            changes.append(PlannedChange(kind: kind, name: name, action: action, fromVersion: old?.version, toVersion: (latest[key]?.version ?? 0) + 1,
                                         isBreaking: !reasons.isEmpty, reasons: reasons, fields: FieldChange.between(oldDefinition, newDefinition), spec: new?.2))
        }
        changes.sort { ($0.kind, $0.name) < ($1.kind, $1.name) }
        // Definitions that do not compile are refused by `validate` before any plan; without a compiled project the
        // plan simply records no fingerprints.
        if case .success(let compiled) = CompiledProject.compile(definitions: desired) {
            for index in changes.indices where changes[index].action != .removed {
                switch changes[index].kind {
                case .source: changes[index].storageFingerprint = desired.source(changes[index].name).map(StorageIdentity.source)
                case .view: changes[index].storageFingerprint = compiled.views[changes[index].name].map(StorageIdentity.view)
                case .entity, .service: break
                }
            }
        }
        return RegistryPlan(baseRevision: baseRevision, changes: changes)
    }
}
