import Foundation
import Strata
import StrataCore
import StrataOffline

/// A dataset's identity in OpenLineage: a namespace naming the data source and a name unique within it.
struct DatasetName: Sendable, Hashable {
    var namespace: String
    var name: String
}

/// How Strata names jobs, runs and datasets, following the OpenLineage naming conventions
/// (openlineage.io/docs/spec/naming): datasets by physical location, the namespace naming the data source.
///
/// | what | namespace | name |
/// |---|---|---|
/// | source file, spine, CSV/JSON Lines training set | `file://HOST` (remote file system) | absolute path |
/// | offline source or feature table | `sqlite://HOST` + absolute path of `offline.db` | table name |
/// | training set written as SQLite | `sqlite://HOST` + absolute path of the file | table name |
/// | online table (one LMDB database per view version) | `lmdb://HOST` + absolute path of the LMDB environment | database name |
/// | feature log | `sqlite://HOST` + absolute path of `feature_log.db` | `feature_log` |
/// | pushed rows | `strata://HOST` + absolute project path | `push/SOURCE` |
///
/// SQLite and LMDB have no server, so their namespace is the database file (environment) itself, the way the
/// conventions give Azure Cosmos DB's namespace down to the database; table names then stay plain and unique.
struct OpenLineageNaming: Sendable {
    let host: String
    let folder: ProjectFolder

    /// The default job namespace: where the project lives, so two projects never share job names or run ids.
    var projectNamespace: String { "strata://\(host)\(folder.root.path)" }
    var fileNamespace: String { "file://\(host)" }
    var offlineNamespace: String { sqliteNamespace(folder.offlinePath) }
    var onlineNamespace: String { "lmdb://\(host)\(folder.onlinePath)" }

    func sqliteNamespace(_ absolutePath: String) -> String { "sqlite://\(host)\(absolutePath)" }

    func file(_ absolutePath: String) -> DatasetName { DatasetName(namespace: fileNamespace, name: absolutePath) }
    func offlineTable(_ table: String) -> DatasetName { DatasetName(namespace: offlineNamespace, name: table) }
    func onlineTable(_ database: String) -> DatasetName { DatasetName(namespace: onlineNamespace, name: database) }
    var featureLog: DatasetName { DatasetName(namespace: sqliteNamespace(folder.featureLogPath), name: StoredSchema.featureLogTable) }
    func pushed(source: String) -> DatasetName { DatasetName(namespace: projectNamespace, name: "push/\(source)") }

    /// An absolute path for a path recorded relative to the project.
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : folder.url(forRelative: path).standardizedFileURL.path
    }

    /// The `dataSource` facet of a namespace: its name, and the namespace as a URI (path characters percent-encoded).
    func dataSource(_ namespace: String) -> JSONValue {
        guard let schemeEnd = namespace.range(of: "://") else { return Facet.dataSource(name: namespace, uri: namespace) }
        let afterScheme = namespace[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let path = String(afterScheme[pathStart...])
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return Facet.dataSource(name: namespace, uri: String(namespace[..<pathStart]) + encoded)
    }

    /// The run id of a Strata run: a version-5 UUID over `JOB_NAMESPACE/KIND/LOCAL_ID` in Strata's namespace UUID, so
    /// exporting the same records again gives the same ids, and runs of different projects never collide.
    static func runID(jobNamespace: String, kind: OpenLineageJobKind, localID: String) -> String {
        NameBasedUUID.v5(namespace: runNamespaceUUID, name: "\(jobNamespace)/\(kind.rawValue)/\(localID)")
    }

    /// Strata's namespace UUID for run ids: uuid5(NAMESPACE_URL, "https://strata.example/openlineage/runs").
    static let runNamespaceUUID: [UInt8] = [0x06, 0xB2, 0x15, 0xD8, 0x06, 0x92, 0x5B, 0x92, 0x82, 0x04, 0xD6, 0xCD, 0x58, 0xC9, 0x40, 0x95]

    /// This machine's host name, as `gethostname(2)` gives it.
    static func localHost() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
