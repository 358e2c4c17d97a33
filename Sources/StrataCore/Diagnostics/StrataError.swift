/// The shape every Strata error shares: what went wrong, where, and how to fix it.
///
/// ```
/// error: ttl must be positive, got "-5m"
///   --> featuresets/driver_stats.yaml:12:7 (feature view `driver_stats`, field `ttl`)
///   fix: write a positive duration such as `6h` or `30d`
/// ```
public protocol StrataError: Error, CustomStringConvertible, Sendable {
    /// One sentence naming what is wrong, quoting the offending value.
    var what: String { get }
    /// Where the problem is, when it comes from a file or a named object.
    var location: SourceLocation? { get }
    /// How to fix it, when there is a clear fix.
    var fix: String? { get }
}

extension StrataError {
    public var description: String { renderStrataError(what: what, location: location, fix: fix) }
}

/// Renders the three parts of an error in the one format every command prints.
public func renderStrataError(what: String, location: SourceLocation?, fix: String?) -> String {
    var text = "error: \(what)"
    if let location { text += "\n  --> \(location)" }
    if let fix { text += "\n  fix: \(fix)" }
    return text
}
