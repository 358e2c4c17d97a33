public import StrataCore

/// Errors of the online store.
public enum OnlineStoreError: StrataError {
    case lmdb(operation: String, path: String, code: Int32, message: String)
    case mapFull(path: String, mapSizeBytes: Int)
    case corruptValue(view: String, reason: String)

    public var what: String {
        switch self {
        case .lmdb(let operation, let path, let code, let message): return "LMDB error \(code) while trying to \(operation) (\(path)): \(message)"
        case .mapFull(let path, let size): return "the online store at \(path) is full (map size \(size >> 20) MiB) and could not grow"
        case .corruptValue(let view, let reason): return "a stored value of `\(view)` is corrupt: \(reason)"
        }
    }

    public var location: SourceLocation? { nil }

    public var fix: String? {
        switch self {
        case .lmdb: return "check that the state folder is writable, not on a network file system, and has free space"
        case .mapFull: return "free disk space, or raise the map size; the store grows by doubling when it fills"
        case .corruptValue: return "re-run `strata materialize` for the view to rewrite its values"
        }
    }
}
