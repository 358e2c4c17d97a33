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
/// offline:
///   engine: spark         # default: sqlite
///   spark:
///     master: "local[2]"  # or spark://host:7077
///     warehouse: /data/strata-warehouse
///     python: /opt/venv/bin/python
///     conf: {spark.executor.memory: 4g}
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

    /// `offline.engine`: which engine computes training sets.
    public var offlineEngine: OfflineEngine = .sqlite
    /// `offline.spark`: how to reach Spark when `offlineEngine` is `.spark`.
    public var spark: SparkSettings?

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
        let top = reader.fields(root, allowed: ["online", "retention", "registry", "offline"], context: "settings")
        if let offlineNode = top?["offline"] { reader.offline(offlineNode, into: &settings) }
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

/// The engine that computes training sets from the stored rows.
public enum OfflineEngine: String, Sendable, Hashable, Codable, CaseIterable {
    /// The embedded default: everything in `.strata/offline.db`.
    case sqlite
    /// Apache Spark computes the point-in-time join over Parquet tables in a warehouse (docs/scale-out.md).
    case spark
}

/// `offline.spark` in strata.yaml.
public struct SparkSettings: Sendable, Hashable {
    /// `local[N]`, `local[*]` or `spark://host:port`.
    public var master: String = "local[2]"
    /// Where Spark keeps the source tables (Parquet): a path (relative paths are relative to the project) or a Hadoop URI.
    public var warehouse: String = ".strata/warehouse"
    /// A Python with pyspark and pyarrow; nil for `python3` on PATH.
    public var python: String?
    /// Extra Spark configuration, passed to the session builder as given.
    public var conf: [String: String] = [:]

    public init(master: String = "local[2]", warehouse: String = ".strata/warehouse", python: String? = nil, conf: [String: String] = [:]) {
        self.master = master
        self.warehouse = warehouse
        self.python = python
        self.conf = conf
    }
}

extension YAMLReader {
    mutating func offline(_ node: Node, into settings: inout ProjectSettings) {
        guard let offline = fields(node, allowed: ["engine", "spark"], context: "offline") else { return }
        if let engineNode = offline["engine"], let text = string(engineNode, field: "engine", context: "offline") {
            if let engine = OfflineEngine(rawValue: text) {
                settings.offlineEngine = engine
            } else {
                error("`offline.engine` must be `sqlite` or `spark`, not `\(text)`", engineNode, "settings")
            }
        }
        var spark = SparkSettings()
        if let sparkNode = offline["spark"], let fields = fields(sparkNode, allowed: ["master", "warehouse", "python", "conf"], context: "offline.spark") {
            if let node = fields["master"], let master = string(node, field: "master", context: "offline.spark") {
                if master.hasPrefix("local") || master.hasPrefix("spark://") {
                    spark.master = master
                } else {
                    error("`offline.spark.master` must be `local[N]` or `spark://HOST:PORT`, not `\(master)`", node, "settings",
                          fix: "Spark Connect (`sc://`) is not supported yet; point at the standalone master instead")
                }
            }
            if let node = fields["warehouse"], let warehouse = string(node, field: "warehouse", context: "offline.spark") {
                if warehouse.isEmpty { error("`offline.spark.warehouse` must not be empty", node, "settings") } else { spark.warehouse = warehouse }
            }
            if let node = fields["python"], let python = string(node, field: "python", context: "offline.spark") { spark.python = python }
            if let node = fields["conf"] {
                if let mapping = node.mapping {
                    for (key, value) in mapping {
                        guard let name = key.scalar?.string, let text = value.scalar?.string else {
                            error("`offline.spark.conf` must map setting names to values, such as `spark.executor.memory: 4g`", value, "settings")
                            continue
                        }
                        spark.conf[name] = text
                    }
                } else {
                    error("`offline.spark.conf` must be a mapping, such as `{spark.executor.memory: 4g}`", node, "settings")
                }
            }
        }
        if settings.offlineEngine == .spark || offline["spark"] != nil { settings.spark = spark }
    }

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
