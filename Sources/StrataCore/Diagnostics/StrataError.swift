/// The shape every Strata error shares: what went wrong, where, and how to fix it; and, for logs, what caused it.
///
/// ```
/// error: ttl must be positive, got "-5m"
///   --> featuresets/driver_stats.yaml:12:7 (feature view `driver_stats`, field `ttl`)
///   fix: write a positive duration such as `6h` or `30d`
/// ```
///
/// `description` is for people (the CLI prints it, HTTP answers carry `what` and `fix` for the client's own mistakes);
/// `debugDescription` adds the whole chain of causes, with whatever detail they keep (SQL, paths, values), for logs.
public protocol StrataError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    /// One sentence naming what is wrong, quoting the offending value.
    var what: String { get }
    /// Where the problem is, when it comes from a file or a named object.
    var location: SourceLocation? { get }
    /// How to fix it, when there is a clear fix.
    var fix: String? { get }
    /// The error this one wraps, kept as a value (never flattened to text); nil when this error is the first.
    var cause: (any Error & Sendable)? { get }
}

extension StrataError {
    public var cause: (any Error & Sendable)? { nil }

    public var description: String { renderStrataError(what: what, location: location, fix: fix) }

    /// The message and every cause below it, one `caused by:` line each, for logs.
    public var debugDescription: String {
        var text = description
        var next = cause
        while let error = next {
            if let strata = error as? any StrataError {
                text += "\n  caused by: " + strata.what
                next = strata.cause
            } else {
                text += "\n  caused by: " + String(reflecting: error)
                next = nil
            }
        }
        return text
    }
}

/// A one-line account of `error` for people: a Strata error's `what`, a decoding error's message and coding path,
/// otherwise the error's own description. The full detail stays in the error for `debugDescription`.
public func errorSummary(_ error: any Error) -> String {
    switch error {
    case let strata as any StrataError: return strata.what
    case let decoding as DecodingError: return decodingSummary(decoding)
    default: return String(describing: error)
    }
}

/// A decoding error in words: which field, and what was wrong with it (the decoders' own texts quote Swift's coding keys).
private func decodingSummary(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }
    switch error {
    case .keyNotFound(let key, let context): return "the field `\(path(context.codingPath + [key]))` is missing"
    case .valueNotFound(let type, let context): return "`\(path(context.codingPath))` is null where a \(type) is expected"
    case .typeMismatch(let type, let context): return "`\(path(context.codingPath))` is not a \(type)"
    case .dataCorrupted(let context):
        let at = path(context.codingPath)
        return at.isEmpty ? context.debugDescription : "`\(at)`: \(context.debugDescription)"
    @unknown default: return "it does not decode"
    }
}

/// Renders the three parts of an error in the one format every command prints.
public func renderStrataError(what: String, location: SourceLocation?, fix: String?) -> String {
    var text = "error: \(what)"
    if let location { text += "\n  --> \(location)" }
    if let fix { text += "\n  fix: \(fix)" }
    return text
}
