public import StrataCore
import GRDB
import Foundation

extension Registry {
    /// Compares `definitions` with the registry's latest versions.
    public func plan(for definitions: ProjectDefinitions) throws(RegistryError) -> RegistryPlan {
        try read("plan") { db in
            let revision = try Int.fetchOne(db, sql: "SELECT revision FROM registry_state") ?? 0
            let latest = try Row.fetchAll(db, sql: """
                SELECT o.* FROM objects o
                JOIN (SELECT kind, name, MAX(version) AS version FROM objects GROUP BY kind, name) latest USING (kind, name, version)
                """).map(Self.object)
            return try RegistryPlan.compute(current: latest, desired: definitions, baseRevision: revision)
        }
    }

    /// Writes a plan as one new revision, atomically.
    ///
    /// - Throws: `RegistryError.changedSincePlan` when another apply landed after the plan was made;
    ///   `.breakingChangesRefused` when the plan has breaking changes and `allowsBreakingChanges` is false.
    @discardableResult
    public func apply(_ plan: RegistryPlan, author: String, message: String?, allowsBreakingChanges: Bool,
                      now: Int64 = currentMicros()) throws(RegistryError) -> Int {
        if !allowsBreakingChanges, !plan.breakingChanges.isEmpty { throw .breakingChangesRefused(plan.breakingChanges) }
        do {
            var newRevision = plan.baseRevision
            try dbQueue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let current = try Int.fetchOne(db, sql: "SELECT revision FROM registry_state") ?? 0
                    guard current == plan.baseRevision else {
                        throw RegistryError.changedSincePlan(planned: plan.baseRevision, current: current)
                    }
                    guard !plan.isEmpty else { return .commit }
                    newRevision = current + 1
                    try db.execute(sql: "INSERT INTO revisions (revision, applied_at, author, message, change_count) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [newRevision, now, author, message, plan.changes.count])
                    for change in plan.changes {
                        try db.execute(sql: """
                            INSERT INTO objects (kind, name, version, revision, spec, is_removed, is_breaking, applied_at, author, message,
                                                 storage_fingerprint)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [change.kind.rawValue, change.name, change.toVersion, newRevision, change.spec,
                                             change.action == .removed, change.isBreaking, now, author, message, change.storageFingerprint])
                    }
                    try db.execute(sql: "UPDATE registry_state SET revision = ?", arguments: [newRevision])
                    return .commit
                }
            }
            return newRevision
        } catch {
            throw Self.wrapping(error, operation: "apply", path: path)
        }
    }
}

