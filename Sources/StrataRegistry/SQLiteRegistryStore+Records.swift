import GRDB

/// Training sets, check reports, job runs, profiles, drift reports and tokens in the SQLite registry.
extension SQLiteRegistryStore {
    public func recordTrainingSet(id: String, createdAtMicros: Int64, manifest: String) throws(RegistryError) {
        try write("record training set \(id)") { db in
            try db.execute(sql: "INSERT INTO training_sets (id, created_at, manifest) VALUES (?, ?, ?)", arguments: [id, createdAtMicros, manifest])
        }
    }

    public func trainingSetManifest(id: String) throws(RegistryError) -> String? {
        try read("read training set \(id)") { db in try String.fetchOne(db, sql: "SELECT manifest FROM training_sets WHERE id = ?", arguments: [id]) }
    }

    public func trainingSetManifests() throws(RegistryError) -> [(id: String, manifest: String)] {
        try read("list training sets") { db in
            try Row.fetchAll(db, sql: "SELECT id, manifest FROM training_sets ORDER BY created_at DESC, id DESC").map { ($0["id"], $0["manifest"]) }
        }
    }

    public func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws(RegistryError) {
        try write("record check report \(id)") { db in
            try db.execute(sql: "INSERT INTO check_reports (id, created_at, report) VALUES (?, ?, ?)", arguments: [id, createdAtMicros, report])
        }
    }

    public func checkReports() throws(RegistryError) -> [(id: String, report: String)] {
        try read("list check reports") { db in
            try Row.fetchAll(db, sql: "SELECT id, report FROM check_reports ORDER BY created_at DESC, id DESC").map { ($0["id"], $0["report"]) }
        }
    }

    public func recordCounts() throws(RegistryError) -> (trainingSets: Int, checkReports: Int) {
        try read("count training sets and check reports") { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM training_sets") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM check_reports") ?? 0)
        }
    }

    public func startJobRun(kind: String, startedAtMicros: Int64, detail: String) throws(RegistryError) -> Int64 {
        try write("record the start of a \(kind) run") { db in
            try db.execute(sql: "INSERT INTO job_runs (kind, started_at, outcome, detail) VALUES (?, ?, 'running', ?)", arguments: [kind, startedAtMicros, detail])
            return db.lastInsertedRowID
        }
    }

    public func finishJobRun(id: Int64, finishedAtMicros: Int64, outcome: JobRunRecord.Outcome, error: String?, detail: String) throws(RegistryError) {
        try write("record the end of run \(id)") { db in
            try db.execute(sql: "UPDATE job_runs SET finished_at = ?, outcome = ?, error = ?, detail = ? WHERE id = ?",
                           arguments: [finishedAtMicros, outcome.rawValue, error, detail, id])
        }
    }

    public func jobRuns() throws(RegistryError) -> [JobRunRecord] {
        try read("list job runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job_runs ORDER BY id").map { row in
                JobRunRecord(id: row["id"], kind: row["kind"], startedAtMicros: row["started_at"], finishedAtMicros: row["finished_at"],
                             outcome: JobRunRecord.Outcome(rawValue: row["outcome"]) ?? .running, error: row["error"], detail: row["detail"])
            }
        }
    }

    public func recordTrainingSetProfile(id: String, profile: String) throws(RegistryError) {
        try write("record the profile of training set \(id)") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO training_set_profiles (id, profile) VALUES (?, ?)", arguments: [id, profile])
        }
    }

    public func trainingSetProfile(id: String) throws(RegistryError) -> String? {
        try read("read the profile of training set \(id)") { db in
            try String.fetchOne(db, sql: "SELECT profile FROM training_set_profiles WHERE id = ?", arguments: [id])
        }
    }

    public func recordDriftReport(_ r: DriftReportRow) throws(RegistryError) -> Int64 {
        try write("record a drift report of service \(r.service)") { db in
            try db.execute(sql: """
                INSERT INTO drift_reports (created_at, service, reference, current, origin, is_drifting, report) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.createdAtMicros, r.service, r.reference, r.current, r.origin, r.isDrifting, r.report])
            return db.lastInsertedRowID
        }
    }

    public func driftReports(service: String?, limit: Int) throws(RegistryError) -> [DriftReportRow] {
        try read("list drift reports") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM drift_reports WHERE ? IS NULL OR service = ? ORDER BY id DESC LIMIT ?",
                             arguments: [service, service, limit]).map(Self.driftRow)
        }
    }

    public func driftReport(id: Int64) throws(RegistryError) -> DriftReportRow? {
        try read("read drift report \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM drift_reports WHERE id = ?", arguments: [id]).map(Self.driftRow)
        }
    }

    static func driftRow(_ row: Row) -> DriftReportRow {
        DriftReportRow(id: row["id"], createdAtMicros: row["created_at"], service: row["service"], reference: row["reference"],
                       current: row["current"], origin: row["origin"], isDrifting: row["is_drifting"], report: row["report"])
    }

    public func createToken(_ token: StoredToken) throws(RegistryError) {
        try write("create token \(token.name)") { db in
            let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tokens WHERE name = ? AND revoked_at IS NULL)", arguments: [token.name]) ?? false
            if taken { throw RegistryError.tokenExists(name: token.name) }
            try db.execute(sql: """
                INSERT INTO tokens (name, hash, scopes, only_patterns, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.name, token.hash, token.scopes.joined(separator: ","), token.only.joined(separator: "\n"), token.expiresAtMicros,
                                 token.createdAtMicros, token.createdBy])
            try db.execute(sql: "UPDATE registry_state SET token_generation = token_generation + 1")
        }
    }

    public func tokens() throws(RegistryError) -> [StoredToken] {
        try read("list tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY name, id").map { row in
                let scopes: String = row["scopes"], only: String = row["only_patterns"]
                return StoredToken(name: row["name"], hash: row["hash"], scopes: scopes.split(separator: ",").map(String.init),
                                   only: only.split(separator: "\n").map(String.init), expiresAtMicros: row["expires_at"],
                                   createdAtMicros: row["created_at"], createdBy: row["created_by"], revokedAtMicros: row["revoked_at"])
            }
        }
    }

    public func revokeToken(name: String, at micros: Int64) throws(RegistryError) -> Bool {
        try write("revoke token \(name)") { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [micros, name])
            let changed = db.changesCount > 0
            if changed { try db.execute(sql: "UPDATE registry_state SET token_generation = token_generation + 1") }
            return changed
        }
    }

    public func tokenGeneration() throws(RegistryError) -> Int64 {
        do {
            return try dbQueue.unsafeReentrantRead { db in
                try Int64.fetchOne(db.cachedStatement(sql: "SELECT token_generation FROM registry_state")) ?? 0
            }
        } catch {
            throw Self.wrapping(error, operation: "read the token generation", path: path)
        }
    }
}
