import GRDB

extension Registry {
    /// How many training sets and check reports are recorded: a cheap stamp that tells a cache of decoded manifests
    /// or reports whether it is stale (records are only ever added, never changed or removed).
    package func recordCounts() throws(RegistryError) -> (trainingSets: Int, checkReports: Int) {
        try read("count training sets and check reports") { db in
            let trainingSets = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM training_sets") ?? 0
            let checkReports = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM check_reports") ?? 0
            return (trainingSets, checkReports)
        }
    }
}
