public import StrataCore
import GRDB
import Foundation

/// Errors of the offline store (ingest, transforms, historical retrieval).
public enum OfflineStoreError: StrataError {
    case fileMissing(source: String, path: String)
    case badHeader(source: String, path: String, missing: [String], found: [String])
    case emptyFile(source: String, path: String)
    case strictRowRejected(QuarantinedRow)
    case spineProblem(what: String, file: String, line: Int, fix: String)
    case unknownTrainingSet(id: String)
    case spineChanged(path: String, expected: String, found: String)
    case limitExceeded(what: String, limit: Int, fix: String)
    /// An operation failed for the reason `cause` keeps (a GRDB `DatabaseError`, a `SystemError`, …).
    case failed(operation: String, path: String, cause: any Error & Sendable)
    /// SQLite refused an operation; `code` is its extended result code (`SQLITE_FULL`, `SQLITE_BUSY`, …).
    case database(operation: String, path: String, code: Int32, message: String)
    /// A source file changed while it was being read: nothing was written.
    case fileChanged(source: String, path: String, change: String)
    /// Reading a source file failed.
    case fileUnreadable(source: String, path: String, code: Int32, message: String)
    /// A stored record cannot be decoded (corrupt or written by another version).
    case corruptRecord(what: String, record: String, reason: String)
    /// A stored record does not decode; `cause` is the decoder's error.
    case undecodable(what: String, record: String, cause: any Error & Sendable)

    public var what: String {
        switch self {
        case .fileMissing(let source, let path): return "source `\(source)`: file \(path) does not exist"
        case .badHeader(let source, _, let missing, let found):
            return "source `\(source)`: the header lacks column\(missing.count == 1 ? "" : "s") \(missing.map { "`\($0)`" }.joined(separator: ", ")) (found: \(found.joined(separator: ", ")))"
        case .emptyFile(let source, _): return "source `\(source)`: the file has no header line"
        case .strictRowRejected(let row): return "row rejected in --strict mode: \(row.reason)"
        case .spineProblem(let what, _, _, _): return what
        case .unknownTrainingSet(let id): return "no training set with id `\(id)`"
        case .spineChanged(let path, let expected, let found):
            return "spine \(path) changed since the training set was made (sha256 \(found.prefix(12))…, manifest has \(expected.prefix(12))…)"
        case .limitExceeded(let what, let limit, _): return "\(what) exceeds the limit of \(limit)"
        case .failed(let operation, let path, let cause as DatabaseError):
            return "offline store error while trying to \(operation) (\(path)): \(cause.message ?? "\(cause.resultCode)") (SQLite code \(cause.extendedResultCode.rawValue))"
        case .failed(let operation, let path, let cause): return "offline store error while trying to \(operation) (\(path)): \(errorSummary(cause))"
        case .database(let operation, let path, let code, let message):
            return "offline store error while trying to \(operation) (\(path)): \(message) (SQLite code \(code))"
        case .fileChanged(let source, let path, let change):
            return "source `\(source)`: \(path) changed while it was being read (\(change)); nothing was written"
        case .fileUnreadable(let source, let path, let code, let message): return "source `\(source)`: cannot read \(path): \(message) (error \(code))"
        case .corruptRecord(let what, let record, let reason): return "\(what) \(record) is corrupt: \(reason)"
        case .undecodable(let what, let record, let cause): return "\(what) \(record) is corrupt: \(errorSummary(cause))"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .fileMissing(_, let path), .badHeader(_, let path, _, _), .emptyFile(_, let path), .fileChanged(_, let path, _), .fileUnreadable(_, let path, _, _):
            return SourceLocation(file: path, line: 1, column: 1)
        case .strictRowRejected(let row): return SourceLocation(file: row.file, line: row.line, column: row.column ?? 0)
        case .spineProblem(_, let file, let line, _): return SourceLocation(file: file, line: line, column: 0)
        default: return nil
        }
    }

    public var fix: String? {
        switch self {
        case .fileMissing: return "check the source's `path` (relative to the project folder) or create the file"
        case .badHeader: return "add the missing columns to the file's first line, or change the source's `schema`"
        case .emptyFile: return "the first line must name the columns"
        case .strictRowRejected: return "fix the row, or run without --strict to quarantine bad rows and continue (nothing was written)"
        case .spineProblem(_, _, _, let fix): return fix
        case .unknownTrainingSet: return "list training sets with `strata historical --list`"
        case .spineChanged: return "restore the original spine file; a reproduction needs the same spine"
        case .limitExceeded(_, _, let fix): return fix
        case .failed(_, let path, _): return sqliteCode.map { SQLiteFailure.fix(code: $0, path: path) } ?? "check that the state folder is writable and has free space"
        case .database(_, let path, let code, _): return SQLiteFailure.fix(code: code, path: path)
        case .fileChanged: return "wait until whatever writes the file has finished (or write it elsewhere and rename it into place), then ingest again"
        case .fileUnreadable: return "check that the file exists and this user may read it"
        case .corruptRecord, .undecodable: return "the stored data was changed outside Strata or by an incompatible version; restore it from a backup, or remove the record"
        }
    }

    public var cause: (any Error & Sendable)? {
        switch self {
        case .failed(_, _, let cause), .undecodable(_, _, let cause): return cause
        default: return nil
        }
    }

    /// SQLite's extended result code, when SQLite refused the operation.
    public var sqliteCode: Int32? {
        switch self {
        case .database(_, _, let code, _): return code
        case .failed(_, _, let cause as DatabaseError): return cause.extendedResultCode.rawValue
        default: return nil
        }
    }

    /// Whether retrying the same operation later may succeed (another writer held the lock).
    public var isBusy: Bool { sqliteCode.map(SQLiteFailure.isBusy) ?? false }

    /// Whether the disk (or SQLite's page limit) is full.
    public var isFull: Bool { sqliteCode.map(SQLiteFailure.isFull) ?? false }

    /// Wraps a GRDB error, keeping it (and so SQLite's extended result code, and the statement for logs) as the cause.
    static func wrapping(_ error: DatabaseError, operation: String, path: String) -> OfflineStoreError {
        .failed(operation: operation, path: path, cause: error)
    }
}

/// A failed system call's error number (`errno`); its description is the system's message.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32

    public init(code: Int32) {
        self.code = code
    }

    /// The calling thread's current `errno`.
    public static var current: SystemError { SystemError(code: errno) }

    public var description: String { String(cString: strerror(code)) + " (error \(code))" }
}

/// A source row that could not be stored, with where it was and why.
public struct QuarantinedRow: Sendable, Hashable, Codable {
    public var runID: Int64
    public var source: String
    public var file: String
    public var line: Int
    /// 1-based column of the offending field, when one field is to blame.
    public var column: Int?
    public var raw: String
    public var reason: String
}
