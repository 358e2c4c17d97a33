import PostgresNIO
public import StrataRegistry

/// Training sets, check reports, job runs, profiles, drift reports and tokens in the PostgreSQL registry.
extension PostgresRegistryStore {
    public func recordTrainingSet(id: String, createdAtMicros: Int64, manifest: String) throws(RegistryError) {
        try withConnection("record training set \(id)") { connection in
            _ = try Self.rows(connection, "INSERT INTO training_sets (id, created_at, manifest) VALUES (\(id), \(createdAtMicros), \(manifest))", logger)
        }
    }

    public func trainingSetManifest(id: String) throws(RegistryError) -> String? {
        try withConnection("read training set \(id)") { connection in
            try Self.rows(connection, "SELECT manifest FROM training_sets WHERE id = \(id)", logger).first.map { try $0.decode(String.self) }
        }
    }

    public func trainingSetManifests() throws(RegistryError) -> [(id: String, manifest: String)] {
        try withConnection("list training sets") { connection in
            try Self.rows(connection, "SELECT id, manifest FROM training_sets ORDER BY created_at DESC, id DESC", logger).map { try $0.decode((String, String).self) }
        }
    }

    public func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws(RegistryError) {
        try withConnection("record check report \(id)") { connection in
            _ = try Self.rows(connection, "INSERT INTO check_reports (id, created_at, report) VALUES (\(id), \(createdAtMicros), \(report))", logger)
        }
    }

    public func checkReports() throws(RegistryError) -> [(id: String, report: String)] {
        try withConnection("list check reports") { connection in
            try Self.rows(connection, "SELECT id, report FROM check_reports ORDER BY created_at DESC, id DESC", logger).map { try $0.decode((String, String).self) }
        }
    }

    public func recordCounts() throws(RegistryError) -> (trainingSets: Int, checkReports: Int) {
        try withConnection("count training sets and check reports") { connection in
            let row = try Self.rows(connection, "SELECT (SELECT COUNT(*) FROM training_sets), (SELECT COUNT(*) FROM check_reports)", logger).first
            return try row.map { try $0.decode((Int, Int).self) } ?? (0, 0)
        }
    }

    public func startJobRun(kind: String, startedAtMicros: Int64, detail: String) throws(RegistryError) -> Int64 {
        try withConnection("record the start of a \(kind) run") { connection in
            try Self.rows(connection, """
                INSERT INTO job_runs (kind, started_at, outcome, detail) VALUES (\(kind), \(startedAtMicros), 'running', \(detail)) RETURNING id
                """, logger).first.map { try $0.decode(Int64.self) } ?? 0
        }
    }

    public func finishJobRun(id: Int64, finishedAtMicros: Int64, outcome: JobRunRecord.Outcome, error: String?, detail: String) throws(RegistryError) {
        try withConnection("record the end of run \(id)") { connection in
            _ = try Self.rows(connection, """
                UPDATE job_runs SET finished_at = \(finishedAtMicros), outcome = \(outcome.rawValue), error = \(error), detail = \(detail) WHERE id = \(id)
                """, logger)
        }
    }

    public func jobRuns() throws(RegistryError) -> [JobRunRecord] {
        try withConnection("list job runs") { connection in
            try Self.rows(connection, "SELECT id, kind, started_at, finished_at, outcome, error, detail FROM job_runs ORDER BY id", logger).map { row in
                let (id, kind, started, finished, outcome, error, detail) = try row.decode((Int64, String, Int64, Int64?, String, String?, String).self)
                return JobRunRecord(id: id, kind: kind, startedAtMicros: started, finishedAtMicros: finished,
                                    outcome: JobRunRecord.Outcome(rawValue: outcome) ?? .running, error: error, detail: detail)
            }
        }
    }

    public func recordTrainingSetProfile(id: String, profile: String) throws(RegistryError) {
        try withConnection("record the profile of training set \(id)") { connection in
            _ = try Self.rows(connection, """
                INSERT INTO training_set_profiles (id, profile) VALUES (\(id), \(profile)) ON CONFLICT (id) DO UPDATE SET profile = EXCLUDED.profile
                """, logger)
        }
    }

    public func trainingSetProfile(id: String) throws(RegistryError) -> String? {
        try withConnection("read the profile of training set \(id)") { connection in
            try Self.rows(connection, "SELECT profile FROM training_set_profiles WHERE id = \(id)", logger).first.map { try $0.decode(String.self) }
        }
    }

    public func recordDriftReport(_ r: DriftReportRow) throws(RegistryError) -> Int64 {
        try withConnection("record a drift report of service \(r.service)") { connection in
            try Self.rows(connection, """
                INSERT INTO drift_reports (created_at, service, reference, current, origin, is_drifting, report)
                VALUES (\(r.createdAtMicros), \(r.service), \(r.reference), \(r.current), \(r.origin), \(r.isDrifting), \(r.report)) RETURNING id
                """, logger).first.map { try $0.decode(Int64.self) } ?? 0
        }
    }

    public func driftReports(service: String?, limit: Int) throws(RegistryError) -> [DriftReportRow] {
        try withConnection("list drift reports") { connection in
            try Self.rows(connection, """
                SELECT id, created_at, service, reference, current, origin, is_drifting, report FROM drift_reports
                WHERE \(service)::text IS NULL OR service = \(service)::text ORDER BY id DESC LIMIT \(limit)
                """, logger).map(Self.driftRow)
        }
    }

    public func driftReport(id: Int64) throws(RegistryError) -> DriftReportRow? {
        try withConnection("read drift report \(id)") { connection in
            try Self.rows(connection, """
                SELECT id, created_at, service, reference, current, origin, is_drifting, report FROM drift_reports WHERE id = \(id)
                """, logger).first.map(Self.driftRow)
        }
    }

    static func driftRow(_ row: PostgresRow) throws -> DriftReportRow {
        let (id, created, service, reference, current, origin, drifting, report) = try row.decode((Int64, Int64, String, String, String, String, Bool, String).self)
        return DriftReportRow(id: id, createdAtMicros: created, service: service, reference: reference, current: current, origin: origin,
                              isDrifting: drifting, report: report)
    }

    public func createToken(_ token: StoredToken) throws(RegistryError) {
        try transaction("create token \(token.name)") { connection in
            let taken = try Self.rows(connection, "SELECT 1 FROM tokens WHERE name = \(token.name) AND revoked_at IS NULL FOR UPDATE", logger)
            if !taken.isEmpty { throw RegistryError.tokenExists(name: token.name) }
            _ = try Self.rows(connection, """
                INSERT INTO tokens (name, hash, scopes, only_patterns, expires_at, created_at, created_by)
                VALUES (\(token.name), \(token.hash), \(token.scopes.joined(separator: ",")), \(token.only.joined(separator: "\n")), \(token.expiresAtMicros),
                        \(token.createdAtMicros), \(token.createdBy))
                """, logger)
            _ = try Self.rows(connection, "UPDATE registry_state SET token_generation = token_generation + 1 WHERE id = 1", logger)
            _ = try Self.rows(connection, "SELECT pg_notify('strata_registry', 'tokens')", logger)
        }
    }

    public func tokens() throws(RegistryError) -> [StoredToken] {
        try withConnection("list tokens") { connection in
            try Self.rows(connection, """
                SELECT name, hash, scopes, only_patterns, expires_at, created_at, created_by, revoked_at FROM tokens ORDER BY name, id
                """, logger).map { row in
                let (name, hash, scopes, only, expires, created, by, revoked) = try row.decode((String, String, String, String, Int64?, Int64, String, Int64?).self)
                return StoredToken(name: name, hash: hash, scopes: scopes.split(separator: ",").map(String.init), only: only.split(separator: "\n").map(String.init),
                                   expiresAtMicros: expires, createdAtMicros: created, createdBy: by, revokedAtMicros: revoked)
            }
        }
    }

    public func revokeToken(name: String, at micros: Int64) throws(RegistryError) -> Bool {
        try transaction("revoke token \(name)") { connection in
            let revoked = try Self.rows(connection, "UPDATE tokens SET revoked_at = \(micros) WHERE name = \(name) AND revoked_at IS NULL RETURNING id", logger)
            guard !revoked.isEmpty else { return false }
            _ = try Self.rows(connection, "UPDATE registry_state SET token_generation = token_generation + 1 WHERE id = 1", logger)
            _ = try Self.rows(connection, "SELECT pg_notify('strata_registry', 'tokens')", logger)
            return true
        }
    }

    public func tokenGeneration() throws(RegistryError) -> Int64 {
        try withConnection("read the token generation") { connection in
            try Self.rows(connection, "SELECT token_generation FROM registry_state", logger).first.map { try $0.decode(Int64.self) } ?? 0
        }
    }
}
