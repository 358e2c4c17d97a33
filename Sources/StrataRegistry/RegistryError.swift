public import StrataCore

/// Errors of the registry.
public enum RegistryError: StrataError, Equatable {
    case changedSincePlan(planned: Int, current: Int)
    case breakingChangesRefused([PlannedChange])
    case unknownObject(name: String, suggestion: String?)
    case unknownVersion(name: String, version: Int, latest: Int)
    case ambiguousName(name: String, kinds: [DefinitionKind])
    case sqlite(operation: String, path: String, underlying: String)
    /// SQLite refused an operation; `code` is its extended result code.
    case database(operation: String, path: String, code: Int32, message: String)
    /// A stored record cannot be read back: changed outside Strata, or written by an incompatible version.
    case corruptRecord(record: String, reason: String)
    /// A plan would undo someone else's changes.
    case revertsRefused([String])
    /// A live token already has this name.
    case tokenExists(name: String)
    /// The PostgreSQL registry refused an operation; `sqlState` is its error code (e.g. `40001`).
    case postgres(operation: String, location: String, sqlState: String?, message: String)
    /// The PostgreSQL registry cannot be reached.
    case unreachable(location: String, message: String)

    public var what: String {
        switch self {
        case .changedSincePlan(let planned, let current):
            return "the registry moved to revision \(current) since your plan (made against revision \(planned)) — run `strata plan` again"
        case .breakingChangesRefused(let changes):
            let lines = changes.map { "  \($0.kind.displayName) `\($0.name)`: \($0.reasons.joined(separator: "; "))" }
            return "refusing \(changes.count) breaking change\(changes.count == 1 ? "" : "s"):\n" + lines.joined(separator: "\n")
        case .unknownObject(let name, _):
            return "no registry object named `\(name)`"
        case .unknownVersion(let name, let version, let latest):
            return "`\(name)` has no version \(version) (latest is \(latest))"
        case .ambiguousName(let name, let kinds):
            return "`\(name)` names several objects: \(kinds.map(\.displayName).joined(separator: ", "))"
        case .sqlite(let operation, let path, let underlying):
            return "registry database error while trying to \(operation) (\(path)): \(underlying)"
        case .corruptRecord(let record, let reason):
            return "registry record \(record) is corrupt: \(reason)"
        case .database(let operation, let path, let code, let message):
            return "registry database error while trying to \(operation) (\(path)): \(message) (SQLite code \(code))"
        case .revertsRefused(let reverts):
            return "refusing to undo \(reverts.count == 1 ? "a teammate's change" : "\(reverts.count) teammates' changes"):\n" + reverts.map { "  \($0)" }.joined(separator: "\n")
        case .tokenExists(let name): return "a token named `\(name)` already exists"
        case .postgres(let operation, let location, let state, let message):
            return "registry error while trying to \(operation) (\(location)): \(message)\(state.map { " (SQLSTATE \($0))" } ?? "")"
        case .unreachable(let location, let message): return "the registry at \(location) cannot be reached: \(message)"
        }
    }

    public var location: SourceLocation? { nil }

    public var fix: String? {
        switch self {
        case .changedSincePlan: return "run `strata plan` again to see the current changes, then `strata apply`"
        case .breakingChangesRefused:
            return "pass `--allow-breaking` to create new versions (existing training-set manifests keep their old versions), or undo the change"
        case .unknownObject(_, let suggestion): return suggestion.map { "did you mean `\($0)`?" } ?? "run `strata registry list` to see what exists"
        case .unknownVersion: return "run `strata registry history NAME` to see the versions"
        case .ambiguousName: return "add `--kind` to say which one"
        case .sqlite: return "check that the state folder is writable and not damaged"
        case .corruptRecord: return "the registry was changed outside Strata or by an incompatible version; restore .strata/registry.db from a backup"
        case .database(_, let path, let code, _): return SQLiteFailure.fix(code: code, path: path)
        case .revertsRefused:
            return "update your definitions (e.g. `git pull`) and run `strata plan` again; pass `--allow-revert` if undoing them is what you mean"
        case .tokenExists: return "revoke it first (`strata token revoke NAME`) or pick another name"
        case .postgres: return "check the registry's database (permissions, disk, its log) and run the command again"
        case .unreachable: return "check that the database server runs and that `registry.url` (or STRATA_REGISTRY_URL) and the password are right"
        }
    }
}
