/// A problem in one expression, at a character offset; the definition loader turns it into a `Diagnostic`.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var what: String
    /// 0-based character offset in the expression text.
    public var offset: Int
    public var fix: String?

    public init(_ what: String, offset: Int, fix: String? = nil) {
        self.what = what
        self.offset = offset
        self.fix = fix
    }

    public var description: String { renderStrataError(what: what, location: nil, fix: fix) + " (at character \(offset + 1))" }
}
