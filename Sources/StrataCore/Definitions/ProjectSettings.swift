import Yams

/// Operational settings of a project, read from `strata.yaml` at its root (not part of the registry: they change how
/// the stores run, never what the features mean).
///
/// ```yaml
/// online:
///   map_size: 4GiB        # initial LMDB map; it doubles when a write fills it
///   map_size_max: 64GiB   # growth stops here, with an error naming this setting
/// retention:
///   feature_log: 30d      # served rows older than this are pruned (default 30d)
///   quarantine: 90d       # quarantined rows of runs older than this are pruned (default 90d)
/// ```
public struct ProjectSettings: Sendable, Hashable {
    /// `online.map_size`: nil for the default.
    public var mapSizeBytes: Int?
    /// `online.map_size_max`: nil for the default.
    public var mapSizeMaxBytes: Int?
    /// `retention.feature_log`: how long served rows are kept in the feature log.
    public var featureLogRetentionMicros: Int64 = ProjectSettings.defaultFeatureLogRetentionMicros
    /// `retention.quarantine`: how long the quarantined rows of a run are kept.
    public var quarantineRetentionMicros: Int64 = ProjectSettings.defaultQuarantineRetentionMicros

    /// `registry.url`: a PostgreSQL registry a team shares (`postgresql://user@host:port/db`); nil for `.strata/registry.db`.
    public var registryURL: String?
    /// `registry.password_file`: a file whose first line is the registry's password (else `PGPASSWORD` or `~/.pgpass`).
    public var registryPasswordFile: String?

    public static let defaultFeatureLogRetentionMicros: Int64 = 30 * 86_400_000_000
    public static let defaultQuarantineRetentionMicros: Int64 = 90 * 86_400_000_000

    public init(mapSizeBytes: Int? = nil, mapSizeMaxBytes: Int? = nil) {
        self.mapSizeBytes = mapSizeBytes
        self.mapSizeMaxBytes = mapSizeMaxBytes
    }

    /// Parses the settings file's text; every problem is reported with its line and column.
    public static func parse(_ text: String, file: String) -> Result<ProjectSettings, DefinitionErrors> {
        var reader = YAMLReader(file: file)
        var settings = ProjectSettings()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return .failure(DefinitionErrors([Diagnostic("\(file) is not valid YAML: \(error)", at: SourceLocation(file: file, line: 0, column: 0))]))
        }
        guard let root else { return .success(settings) }
        let top = reader.fields(root, allowed: ["online", "retention", "registry"], context: "settings")
        if let registryNode = top?["registry"], let registry = reader.fields(registryNode, allowed: ["url", "password_file"], context: "registry") {
            settings.registryURL = registry["url"].flatMap { reader.string($0, field: "url", context: "registry") }
            settings.registryPasswordFile = registry["password_file"].flatMap { reader.string($0, field: "password_file", context: "registry") }
        }
        if let onlineNode = top?["online"], let online = reader.fields(onlineNode, allowed: ["map_size", "map_size_max"], context: "online") {
            settings.mapSizeBytes = online["map_size"].flatMap { reader.size($0, field: "online.map_size") }
            settings.mapSizeMaxBytes = online["map_size_max"].flatMap { reader.size($0, field: "online.map_size_max") }
        }
        if let retentionNode = top?["retention"], let retention = reader.fields(retentionNode, allowed: ["feature_log", "quarantine"], context: "retention") {
            if let node = retention["feature_log"], let micros = reader.retention(node, field: "retention.feature_log") { settings.featureLogRetentionMicros = micros }
            if let node = retention["quarantine"], let micros = reader.retention(node, field: "retention.quarantine") { settings.quarantineRetentionMicros = micros }
        }
        return reader.diagnostics.isEmpty ? .success(settings) : .failure(DefinitionErrors(reader.diagnostics))
    }

    /// Parses a byte size: `65536`, `64KiB`, `512MiB`, `4GiB`, `1TiB`.
    public static func parseSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        let trimmed = text.filter { $0 != " " }
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let number = Int(trimmed.dropLast(suffix.count)), number > 0 else { return nil }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
            return overflow ? nil : bytes
        }
        return Int(trimmed).flatMap { $0 > 0 ? $0 : nil }
    }
}

extension YAMLReader {
    mutating func retention(_ node: Node, field: String) -> Int64? {
        guard let text = string(node, field: field, context: "retention"), case .success(let micros) = FeatureDuration.parse(text), micros > 0 else {
            error("`\(field)` must be a positive duration such as `30d` or `12h`", node, "settings")
            return nil
        }
        return micros
    }

    mutating func size(_ node: Node, field: String) -> Int? {
        guard let text = string(node, field: field, context: "online"), let bytes = ProjectSettings.parseSize(text) else {
            error("`\(field)` must be a positive size such as `4GiB`, `512MiB` or `65536` (bytes)", node, "settings")
            return nil
        }
        return bytes
    }
}
