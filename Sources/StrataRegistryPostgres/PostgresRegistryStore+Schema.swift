import PostgresNIO
import StrataRegistry

/// The schema of the PostgreSQL registry: named migrations, each run once in its own transaction, in order, like the
/// SQLite registry's GRDB migrations. A shipped migration is never changed; a change is a new one.
extension PostgresRegistryStore {
    static let migrations: [(name: String, statements: [PostgresQuery])] = [
        ("v1 registry", [
            """
            CREATE TABLE registry_state (id INTEGER PRIMARY KEY CHECK (id = 1), revision BIGINT NOT NULL, token_generation BIGINT NOT NULL DEFAULT 0)
            """,
            "INSERT INTO registry_state (id, revision) VALUES (1, 0)",
            """
            CREATE TABLE revisions (revision BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL, author TEXT NOT NULL, message TEXT, change_count BIGINT NOT NULL)
            """,
            """
            CREATE TABLE objects (
                kind TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL, revision BIGINT NOT NULL REFERENCES revisions (revision),
                spec TEXT, is_removed BOOLEAN NOT NULL, is_breaking BOOLEAN NOT NULL, applied_at BIGINT NOT NULL, author TEXT NOT NULL,
                message TEXT, storage_fingerprint TEXT, PRIMARY KEY (kind, name, version))
            """,
            "CREATE TABLE training_sets (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, manifest TEXT NOT NULL)",
            "CREATE TABLE check_reports (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, report TEXT NOT NULL)",
            """
            CREATE TABLE job_runs (
                id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT, outcome TEXT NOT NULL,
                error TEXT, detail TEXT NOT NULL)
            """,
            "CREATE TABLE training_set_profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL)",
            """
            CREATE TABLE drift_reports (
                id BIGSERIAL PRIMARY KEY, created_at BIGINT NOT NULL, service TEXT NOT NULL, reference TEXT NOT NULL, current TEXT NOT NULL,
                origin TEXT NOT NULL, is_drifting BOOLEAN NOT NULL, report TEXT NOT NULL)
            """,
            "CREATE INDEX drift_reports_by_service ON drift_reports (service, id)",
            """
            CREATE TABLE tokens (
                id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, only_patterns TEXT NOT NULL,
                expires_at BIGINT, created_at BIGINT NOT NULL, created_by TEXT NOT NULL, revoked_at BIGINT)
            """,
            "CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked_at IS NULL",
        ]),
    ]

    /// An arbitrary constant naming the advisory lock that serialises first opens of one registry database.
    static let migrationLock: Int64 = 0x5354_5241_5441

    func migrate() throws(RegistryError) {
        try transaction("migrate the registry's schema") { connection in
            _ = try Self.rows(connection, "SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger)
            _ = try Self.rows(connection, "CREATE TABLE IF NOT EXISTS strata_schema_migrations (name TEXT PRIMARY KEY)", logger)
            let applied = Set(try Self.rows(connection, "SELECT name FROM strata_schema_migrations", logger).map { try $0.decode(String.self) })
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.statements { _ = try Self.rows(connection, statement, logger) }
                _ = try Self.rows(connection, "INSERT INTO strata_schema_migrations (name) VALUES (\(migration.name))", logger)
            }
        }
    }
}
