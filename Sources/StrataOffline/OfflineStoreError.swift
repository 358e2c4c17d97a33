public import StrataCore

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
    case sqlite(operation: String, path: String, underlying: String)

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
        case .sqlite(let operation, let path, let underlying): return "offline store error while trying to \(operation) (\(path)): \(underlying)"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .fileMissing(_, let path), .badHeader(_, let path, _, _), .emptyFile(_, let path): return SourceLocation(file: path, line: 1, column: 1)
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
        case .sqlite: return "check that the state folder is writable and has free space"
        }
    }
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
