public import GRDB

/// A piece of SQL text with its bound arguments. User text only ever enters as an argument;
/// identifiers pass through `quoted(_:)`, the one quoting function.
public struct SQLFragment: Sendable, CustomStringConvertible {
    public var text: String
    public var arguments: [DatabaseValue]

    public init(_ text: String, _ arguments: [DatabaseValue] = []) {
        self.text = text
        self.arguments = arguments
    }

    /// For fixed SQL written in this module only; never for text from definitions, files or requests.
    public init(unsafeSQL text: String) {
        self.init(text, [])
    }

    public var statementArguments: StatementArguments { StatementArguments(arguments) }

    public var description: String { text }

    static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        SQLFragment(lhs.text + rhs.text, lhs.arguments + rhs.arguments)
    }
}

/// Quotes an identifier for SQLite: wraps it in double quotes and doubles any inside.
/// Definitions only admit `[A-Za-z_][A-Za-z0-9_]*` names, so this is a second line of defence.
public func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
