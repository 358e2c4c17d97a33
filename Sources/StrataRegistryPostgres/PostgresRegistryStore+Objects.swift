import PostgresNIO
public import StrataCore
public import StrataRegistry

/// Revisions and object versions in the PostgreSQL registry.
extension PostgresRegistryStore {
    static let objectColumns = "kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message, storage_fingerprint"

    public func revision() throws(RegistryError) -> Int {
        try withConnection("read the revision") { connection in
            try Self.rows(connection, "SELECT revision FROM registry_state", logger).first.map { try $0.decode(Int.self) } ?? 0
        }
    }

    public func objects(kind: DefinitionKind?, name: String?) throws(RegistryError) -> [RegistryObject] {
        try withConnection("read versions") { connection in
            let kindText = kind?.rawValue
            let query: PostgresQuery = """
                SELECT kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message, storage_fingerprint FROM objects
                WHERE (\(kindText)::text IS NULL OR kind = \(kindText)::text) AND (\(name)::text IS NULL OR name = \(name)::text)
                ORDER BY kind, name, version
                """
            return try Self.rows(connection, query, logger).map(Self.object)
        }
    }

    public func latestObjects() throws(RegistryError) -> (revision: Int, objects: [RegistryObject]) {
        // One transaction, so the revision and the objects belong together (REPEATABLE READ: one snapshot for both).
        try withConnection("list objects") { connection in
            _ = try Self.rows(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger)
            do {
                let revision = try Self.rows(connection, "SELECT revision FROM registry_state", logger).first.map { try $0.decode(Int.self) } ?? 0
                let objects = try Self.rows(connection, """
                    SELECT DISTINCT ON (kind, name) kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message,
                           storage_fingerprint
                    FROM objects ORDER BY kind, name, version DESC
                    """, logger).map(Self.object)
                _ = try Self.rows(connection, "COMMIT", logger)
                return (revision, objects)
            } catch {
                _ = try? Self.rows(connection, "ROLLBACK", logger)
                throw error
            }
        }
    }

    public func revisions() throws(RegistryError) -> [RegistryRevision] {
        try withConnection("list revisions") { connection in
            try Self.rows(connection, "SELECT revision, applied_at, author, message, change_count FROM revisions ORDER BY revision DESC", logger).map { row in
                let (revision, appliedAt, author, message, count) = try row.decode((Int, Int64, String, String?, Int).self)
                return RegistryRevision(revision: revision, appliedAtMicros: appliedAt, author: author, message: message, changeCount: count)
            }
        }
    }

    /// Locks the state row first (`FOR UPDATE`): a concurrent apply waits for this one to commit, then finds the revision
    /// moved and fails. The new revision is announced to every listening server (`NOTIFY strata_registry`) on commit.
    public func commit(_ plan: RegistryPlan, author: String, message: String?, now: Int64) throws(RegistryError) -> Int {
        try transaction("apply") { connection in
            let current = try Self.rows(connection, "SELECT revision FROM registry_state WHERE id = 1 FOR UPDATE", logger).first.map { try $0.decode(Int.self) } ?? 0
            guard current == plan.baseRevision else { throw RegistryError.changedSincePlan(planned: plan.baseRevision, current: current) }
            guard !plan.isEmpty else { return current }
            let next = current + 1
            _ = try Self.rows(connection, """
                INSERT INTO revisions (revision, applied_at, author, message, change_count) VALUES (\(next), \(now), \(author), \(message), \(plan.changes.count))
                """, logger)
            for change in plan.changes {
                _ = try Self.rows(connection, """
                    INSERT INTO objects (kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message, storage_fingerprint)
                    VALUES (\(change.kind.rawValue), \(change.name), \(change.toVersion), \(next), \(change.spec), \(change.action == .removed),
                            \(change.isBreaking), \(now), \(author), \(message), \(change.storageFingerprint))
                    """, logger)
            }
            _ = try Self.rows(connection, "UPDATE registry_state SET revision = \(next) WHERE id = 1", logger)
            _ = try Self.rows(connection, "SELECT pg_notify('strata_registry', \("revision:\(next)"))", logger)
            return next
        }
    }

    static func object(_ row: PostgresRow) throws -> RegistryObject {
        let (kindText, name, version, revision, spec, isRemoved, isBreaking, appliedAt, author, message, fingerprint) =
            try row.decode((String, String, Int, Int, String?, Bool, Bool, Int64, String, String?, String?).self)
        guard let kind = DefinitionKind(rawValue: kindText) else {
            throw RegistryError.corruptRecord(record: "object `\(name)` version \(version)", reason: "unknown kind `\(kindText)`")
        }
        return RegistryObject(kind: kind, name: name, version: version, revision: revision, spec: spec, isRemoved: isRemoved, isBreaking: isBreaking,
                              appliedAtMicros: appliedAt, author: author, message: message, storageFingerprint: fingerprint)
    }
}
