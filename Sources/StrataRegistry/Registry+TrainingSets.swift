import GRDB

extension Registry {
    /// Records a training-set manifest (JSON) under `id`.
    public func recordTrainingSet(id: String, createdAtMicros: Int64, manifest: String) throws(RegistryError) {
        do {
            try dbQueue.write { db in
                try db.execute(sql: "INSERT INTO training_sets (id, created_at, manifest) VALUES (?, ?, ?)", arguments: [id, createdAtMicros, manifest])
            }
        } catch {
            throw Self.wrapping(error, operation: "record training set \(id)", path: path)
        }
    }

    /// The manifest JSON of a training set, or nil when there is none with that id.
    public func trainingSetManifest(id: String) throws(RegistryError) -> String? {
        try read("read training set \(id)") { db in try String.fetchOne(db, sql: "SELECT manifest FROM training_sets WHERE id = ?", arguments: [id]) }
    }

    /// Every training set's id and manifest JSON, newest first.
    public func trainingSetManifestRecords() throws(RegistryError) -> [(id: String, manifest: String)] {
        try read("list training sets") { db in
            try Row.fetchAll(db, sql: "SELECT id, manifest FROM training_sets ORDER BY created_at DESC, id DESC").map { ($0["id"], $0["manifest"]) }
        }
    }

    /// Records a consistency-check report (JSON) under `id`.
    public func recordCheckReport(id: String, createdAtMicros: Int64, report: String) throws(RegistryError) {
        do {
            try dbQueue.write { db in
                try db.execute(sql: "INSERT INTO check_reports (id, created_at, report) VALUES (?, ?, ?)", arguments: [id, createdAtMicros, report])
            }
        } catch {
            throw Self.wrapping(error, operation: "record check report \(id)", path: path)
        }
    }

    /// Every check report's id and JSON, newest first.
    public func checkReportRecords() throws(RegistryError) -> [(id: String, report: String)] {
        try read("list check reports") { db in
            try Row.fetchAll(db, sql: "SELECT id, report FROM check_reports ORDER BY created_at DESC, id DESC").map { ($0["id"], $0["report"]) }
        }
    }
}
