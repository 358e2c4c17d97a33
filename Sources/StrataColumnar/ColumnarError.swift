public import StrataCore

/// Why a columnar file could not be written or read: what, where (file, column, row group), and how to fix it.
public struct ColumnarError: StrataError {
    /// The kind of problem, as a struct so kinds can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String
        /// The bytes are not a valid file of the format (truncated, corrupt, or a different format).
        public static let malformed = Code(description: "malformed")
        /// A valid file uses a feature Strata does not read (a type, an encoding, a codec).
        public static let unsupported = Code(description: "unsupported")
        /// A batch handed to a writer does not match the writer's schema.
        public static let invalidBatch = Code(description: "invalid batch")
        /// A size limit was exceeded.
        public static let limitExceeded = Code(description: "limit exceeded")
        /// A compression library reported an error.
        public static let compression = Code(description: "compression")
    }

    public var code: Code
    public var what: String
    /// Where inside the data, such as "column `driver_id`, row group 2".
    public var context: String?
    /// The file the bytes came from, when a caller knows it.
    public var file: String?
    public var fix: String?

    /// An error of kind `code`: `what` went wrong, inside `context`, in `file`; `fix` says how to fix it.
    public init(_ code: Code, _ what: String, context: String? = nil, file: String? = nil, fix: String? = nil) {
        self.code = code
        self.what = what
        self.context = context
        self.file = file
        self.fix = fix
    }

    /// The file and the place inside it (column, row group, page), when known.
    public var location: SourceLocation? {
        guard file != nil || context != nil else { return nil }
        return SourceLocation(file: file ?? "(bytes)", line: 0, column: 0, context: context)
    }

    /// The same error inside `context`, kept innermost last: "column `x`, row group 2".
    func within(_ outer: String) -> ColumnarError {
        var copy = self
        copy.context = context.map { "\(outer), \($0)" } ?? outer
        return copy
    }

    static func malformed(_ format: String, _ what: String) -> ColumnarError {
        ColumnarError(.malformed, "\(format): \(what)", fix: "the file is truncated or corrupt; write it again, or check that it is a \(format) file")
    }
}

/// Runs `body`, adding `context` to a `ColumnarError` it throws.
func withContext<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ColumnarError {
        throw error.within(context())
    }
}
