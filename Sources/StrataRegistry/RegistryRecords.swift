public import StrataCore

/// One version of one registry object.
public struct RegistryObject: Codable, Sendable, Hashable {
    public var kind: DefinitionKind
    public var name: String
    public var version: Int
    /// The registry revision that created this version.
    public var revision: Int
    /// Canonical JSON of the definition; nil for a removal record.
    public var spec: String?
    public var isRemoved: Bool
    public var isBreaking: Bool
    public var appliedAtMicros: Int64
    public var author: String
    public var message: String?
    /// The fingerprint of what decides the version's stored bytes (sources and feature views; see `StorageIdentity`);
    /// nil for other kinds and for versions applied before it was recorded.
    public var storageFingerprint: String? = nil

    public init(kind: DefinitionKind, name: String, version: Int, revision: Int, spec: String?, isRemoved: Bool, isBreaking: Bool,
                appliedAtMicros: Int64, author: String, message: String?, storageFingerprint: String? = nil) {
        self.kind = kind
        self.name = name
        self.version = version
        self.revision = revision
        self.spec = spec
        self.isRemoved = isRemoved
        self.isBreaking = isBreaking
        self.appliedAtMicros = appliedAtMicros
        self.author = author
        self.message = message
        self.storageFingerprint = storageFingerprint
    }

    /// Owner, description and tags read from the spec, for listings and search.
    /// - Throws: `RegistryError.corruptRecord` when the stored spec cannot be decoded.
    public func summary() throws(RegistryError) -> ObjectSummary { try ObjectSummary(kind: kind, name: name, version: version, spec: spec) }
}

/// The human fields every definition has.
public struct ObjectSummary: Sendable, Hashable {
    public var owner: String?
    public var description: String?
    public var tags: [String]

    init(kind: DefinitionKind, name: String, version: Int, spec: String?) throws(RegistryError) {
        guard let spec else {
            self.owner = nil; self.description = nil; self.tags = []
            return
        }
        switch try CanonicalJSON.decode(kind: kind, spec, name: name, version: version) {
        case .entity(let e): (owner, description, tags) = (e.owner, e.description, e.tags)
        case .source(let s): (owner, description, tags) = (s.owner, s.description, s.tags)
        case .view(let v): (owner, description, tags) = (v.owner, v.description, v.tags)
        case .service(let s): (owner, description, tags) = (s.owner, s.description, s.tags)
        }
    }
}

/// One applied revision: who, when, why, and what it changed.
public struct RegistryRevision: Codable, Sendable, Hashable {
    public var revision: Int
    public var appliedAtMicros: Int64
    public var author: String
    public var message: String?
    public var changeCount: Int

    public init(revision: Int, appliedAtMicros: Int64, author: String, message: String?, changeCount: Int) {
        self.revision = revision
        self.appliedAtMicros = appliedAtMicros
        self.author = author
        self.message = message
        self.changeCount = changeCount
    }
}

/// A definition of any kind, decoded from the registry.
public enum AnyDefinition: Sendable, Hashable {
    case entity(EntityDefinition)
    case source(SourceDefinition)
    case view(FeatureViewDefinition)
    case service(FeatureServiceDefinition)
}
