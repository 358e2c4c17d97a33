import GRDB

/// One page of quarantined rows, with the total the filter matches, for browsing.
public struct QuarantinePage: Sendable {
    public var rows: [QuarantinedRow]
    public var totalMatching: Int
}

extension OfflineStore {
    /// Quarantined rows matching the filters, newest run first, `limit` rows from `offset`. `reasonContains` matches
    /// a substring of the reason (case-sensitive, bound as an argument: reasons quote user data, never SQL).
    package func quarantinePage(source: String?, reasonContains: String?, offset: Int, limit: Int) throws -> QuarantinePage {
        try read("page through quarantine") { db in
            var filter = " WHERE 1"
            var arguments: StatementArguments = []
            if let source { filter += " AND source = ?"; arguments += [source] }
            if let reasonContains, !reasonContains.isEmpty { filter += " AND instr(reason, ?) > 0"; arguments += [reasonContains] }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine" + filter, arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM quarantine" + filter + " ORDER BY run_id DESC, id LIMIT ? OFFSET ?",
                                        arguments: arguments + [max(0, limit), max(0, offset)]).map { row in
                QuarantinedRow(runID: try row.column("run_id"), source: try row.column("source"), file: try row.column("file"), line: try row.column("line"),
                               column: try row.column("column_number"), raw: try row.column("raw"), reason: try row.column("reason"))
            }
            return QuarantinePage(rows: rows, totalMatching: total)
        }
    }

    /// The most frequent quarantine reasons with their counts, most frequent first.
    package func quarantineReasonCounts(source: String?, limit: Int) throws -> [(reason: String, count: Int)] {
        try read("count quarantine reasons") { db in
            var sql = "SELECT reason, COUNT(*) AS n FROM quarantine"
            var arguments: StatementArguments = []
            if let source { sql += " WHERE source = ?"; arguments += [source] }
            sql += " GROUP BY reason ORDER BY n DESC, reason LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { ($0["reason"], $0["n"]) }
        }
    }
}
