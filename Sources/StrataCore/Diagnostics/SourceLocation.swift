/// A place in a definition or data file: 1-based line and column, plus the object and field it belongs to.
public struct SourceLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Human context such as "feature view `driver_stats`, field `ttl`".
    public var context: String?

    public init(file: String, line: Int, column: Int, context: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.context = context
    }

    /// The same place with a different context.
    public func with(context: String?) -> SourceLocation {
        var copy = self
        copy.context = context
        return copy
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        guard let context else { return place }
        return "\(place) (\(context))"
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
