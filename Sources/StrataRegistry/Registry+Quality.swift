import GRDB

/// One stored drift report's summary row; `report` is the whole report as JSON.
public struct DriftReportRow: Sendable, Hashable {
    public var id: Int64
    public var createdAtMicros: Int64
    public var service: String
    public var reference: String
    public var current: String
    /// `cli` for `strata drift`, `monitor` for the server's schedule.
    public var origin: String
    public var isDrifting: Bool
    public var report: String
}

extension Registry {
    /// Training-set profiles (beside the manifests) and drift reports.
    static func registerQualityMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5 data quality") { db in
            try db.execute(sql: """
                CREATE TABLE training_set_profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL);
                CREATE TABLE drift_reports (
                    id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, service TEXT NOT NULL, reference TEXT NOT NULL,
                    current TEXT NOT NULL, origin TEXT NOT NULL, is_drifting INTEGER NOT NULL, report TEXT NOT NULL);
                CREATE INDEX drift_reports_by_service ON drift_reports (service, id);
                """)
        }
    }

    /// Records the profile (JSON) of training set `id`.
    public func recordTrainingSetProfile(id: String, profile: String) throws(RegistryError) {
        do {
            try dbQueue.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO training_set_profiles (id, profile) VALUES (?, ?)", arguments: [id, profile])
            }
        } catch {
            throw Self.wrapping(error, operation: "record the profile of training set \(id)", path: path)
        }
    }

    /// The profile JSON of a training set; nil when none was recorded.
    public func trainingSetProfile(id: String) throws(RegistryError) -> String? {
        try read("read the profile of training set \(id)") { db in
            try String.fetchOne(db, sql: "SELECT profile FROM training_set_profiles WHERE id = ?", arguments: [id])
        }
    }

    /// Records a drift report; returns its id.
    @discardableResult
    public func recordDriftReport(createdAtMicros: Int64, service: String, reference: String, current: String, origin: String,
                                  isDrifting: Bool, report: String) throws(RegistryError) -> Int64 {
        do {
            return try dbQueue.write { db in
                try db.execute(sql: """
                    INSERT INTO drift_reports (created_at, service, reference, current, origin, is_drifting, report) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [createdAtMicros, service, reference, current, origin, isDrifting, report])
                return db.lastInsertedRowID
            }
        } catch {
            throw Self.wrapping(error, operation: "record a drift report of service \(service)", path: path)
        }
    }

    /// Drift reports, newest first, optionally of one service, at most `limit`.
    public func driftReports(service: String? = nil, limit: Int = 100) throws(RegistryError) -> [DriftReportRow] {
        try read("list drift reports") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM drift_reports WHERE ? IS NULL OR service = ? ORDER BY id DESC LIMIT ?",
                             arguments: [service, service, limit]).map(Self.driftRow)
        }
    }

    /// One drift report; nil when there is none with that id.
    public func driftReport(id: Int64) throws(RegistryError) -> DriftReportRow? {
        try read("read drift report \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM drift_reports WHERE id = ?", arguments: [id]).map(Self.driftRow)
        }
    }

    static func driftRow(_ row: Row) -> DriftReportRow {
        DriftReportRow(id: row["id"], createdAtMicros: row["created_at"], service: row["service"], reference: row["reference"],
                       current: row["current"], origin: row["origin"], isDrifting: row["is_drifting"], report: row["report"])
    }
}
