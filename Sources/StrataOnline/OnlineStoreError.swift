public import StrataCore
import Foundation

/// Errors of the online store. Each keeps LMDB's (or the system's) error code.
public enum OnlineStoreError: StrataError {
    /// The environment could not be opened: the path is a file, unreadable, on a full disk, …
    case cannotOpen(path: String, code: Int32, message: String)
    case lmdb(operation: String, path: String, code: Int32, message: String)
    /// The map reached its growth limit.
    case mapFull(path: String, mapSizeBytes: Int, mapSizeMaxBytes: Int)
    case corruptValue(view: String, reason: String)
    /// A record the store keeps about a view (a watermark, what it serves) does not decode; `cause` is the decoder's error.
    case undecodableRecord(view: String, record: String, cause: any Error & Sendable)

    public var what: String {
        switch self {
        case .cannotOpen(let path, let code, let message): return "cannot open the online store at \(path): \(message) (error \(code))"
        case .lmdb(let operation, let path, let code, let message): return "LMDB error \(code) while trying to \(operation) (\(path)): \(message)"
        case .mapFull(let path, let size, let max):
            return "the online store at \(path) is full: its map is \(Self.mebibytes(size)) and may not grow past `online.map_size_max` (\(Self.mebibytes(max)))"
        case .corruptValue(let view, let reason): return "a stored value of `\(view)` is corrupt: \(reason)"
        case .undecodableRecord(let view, let record, let cause): return "the online store's \(record) of `\(view)` is corrupt: \(errorSummary(cause))"
        }
    }

    public var location: SourceLocation? { nil }

    public var cause: (any Error & Sendable)? {
        if case .undecodableRecord(_, _, let cause) = self { return cause }
        return nil
    }

    public var fix: String? {
        switch self {
        case .cannotOpen(let path, let code, _): return Self.fix(code: code, path: path)
        case .lmdb(_, let path, let code, _): return Self.fix(code: code, path: path)
        case .mapFull:
            return "raise `online.map_size_max` in strata.yaml (or pass a larger --map-size), and check the disk has room for it"
        case .corruptValue, .undecodableRecord: return "re-run `strata materialize` for the view to rewrite its values"
        }
    }

    /// LMDB returns system error numbers for I/O failures: say what to do about each.
    static func fix(code: Int32, path: String) -> String {
        switch code {
        case ENOTDIR, EEXIST: return "\(path) must be a folder that Strata manages: move the file that is in the way, then run the command again"
        case EACCES, EPERM: return "give this user read and write access to \(path) and the files in it (chown or chmod), or run as the owner"
        case ENOSPC: return "free disk space on the volume holding \(path), then run the command again (nothing was changed)"
        case EIO:
            return "a write failed (LMDB reports a short write, as on a full disk, as an I/O error): free disk space on the volume holding \(path) and check the device, then run the command again (nothing was changed)"
        case EROFS: return "\(path) is on a read-only file system: move the project, or mount the volume read-write"
        case ENOMEM: return "the map size is larger than the address space allows: lower `online.map_size` in strata.yaml or --map-size"
        default: return "check that \(path) is a local folder (not on a network file system) that this user can write, on a volume with free space"
        }
    }

    static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 30 && bytes % (1 << 30) == 0 ? "\(bytes >> 30) GiB" : bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}
