/// Reads Arrow IPC held in memory: the file format (Feather v2) or the stream format, detected from the bytes.
///
/// Int8–64 and UInt8–64 (→ int64), float32/64 (→ float64), bool, utf8, large_utf8, utf8_view and UTF-8 binary
/// (→ string), timestamps in s/ms/us/ns with or without a time zone (→ UTC microseconds), the null type (→ an all-null
/// string column), dictionary-encoded columns of those types, and LZ4-frame or zstd compressed bodies.
///
/// ```swift
/// var reader = try ArrowReader(bytes: body)
/// while let batch = try reader.next() { … }
/// ```
public struct ArrowReader: Sendable {
    /// The columns, mapped to Strata's types.
    public let schema: ColumnarSchema
    /// Whether the bytes were the file format or the stream format.
    public let format: ArrowIPCFormat
    private let bytes: [UInt8]
    private let fields: [ArrowFieldInfo]
    /// Stream: the position of the next message. File: the record batch blocks still to read.
    private var position: Int
    private var pendingBlocks: [(offset: Int64, metadata: Int64, body: Int64)]
    private var dictionaries: [Int64: ColumnarColumn] = [:]
    private var isDone = false
    private var rowsRead = 0
    private let rowsMax: Int

    /// Detects the framing and reads the schema (and, for a file, the footer and dictionaries).
    /// - Parameter rowsMax: reading more rows than this in all is refused before the batch that would exceed it is decoded.
    /// - Throws: `ColumnarError` for bytes that are not Arrow IPC or use types and codecs Strata does not read.
    public init(bytes: [UInt8], rowsMax: Int = 100_000_000) throws {
        self.bytes = bytes
        self.rowsMax = rowsMax
        if bytes.count >= 4, Array(bytes[0..<4]) == Array("FEA1".utf8) {
            throw ColumnarError(.unsupported, "the file is Feather version 1, which Strata does not read",
                                fix: "write it again as Feather v2 / Arrow IPC (`pyarrow.feather.write_feather(df, path)` writes v2)")
        }
        if bytes.count >= 6, Array(bytes[0..<6]) == ArrowFormat.fileMagic {
            let footer = try ArrowFileFooter(bytes)
            format = .file
            fields = footer.fields
            position = 8
            pendingBlocks = footer.recordBatches
            let reader = ArrowMessageReader(bytes: bytes)
            for block in footer.dictionaries {
                let message = try reader.message(atBlock: block)
                try Self.apply(dictionary: message, fields: fields, into: &dictionaries, bytes: bytes)
            }
        } else {
            let reader = ArrowMessageReader(bytes: bytes)
            guard let message = try reader.next(from: 0), message.headerType == ArrowFormat.headerSchema else {
                throw ColumnarError(.malformed, "not an Arrow IPC stream or file (no schema message)",
                                    fix: "pass an Arrow IPC file (.arrow / .feather) or stream written by pyarrow, polars or Strata")
            }
            format = .stream
            fields = try ArrowFieldInfo.decodeSchema(message.header)
            position = message.end
            pendingBlocks = []
        }
        schema = ColumnarSchema(fields.map { ColumnarField(name: $0.name, type: $0.type, isNullable: true) })
    }

    /// The next record batch, or nil after the last.
    public mutating func next() throws -> ColumnarBatch? {
        guard !isDone else { return nil }
        let reader = ArrowMessageReader(bytes: bytes)
        while true {
            let message: ArrowMessage?
            if format == .file {
                message = pendingBlocks.isEmpty ? nil : try reader.message(atBlock: pendingBlocks.removeFirst())
            } else {
                message = try reader.next(from: position)
                if let message { position = message.end }
            }
            guard let message else {
                isDone = true
                return nil
            }
            switch message.headerType {
            case ArrowFormat.headerRecordBatch:
                let batch = try decode(message)
                rowsRead += batch.rowCount
                return batch
            case ArrowFormat.headerDictionaryBatch:
                try Self.apply(dictionary: message, fields: fields, into: &dictionaries, bytes: bytes)
            default:
                throw ColumnarError.malformed("Arrow IPC", "an unexpected message (type \(message.headerType)) among the record batches")
            }
        }
    }

    private func decode(_ message: ArrowMessage) throws -> ColumnarBatch {
        var decoder = try ArrowBatchDecoder(message.header, bytes: bytes, body: message.body)
        guard decoder.rowCount <= rowsMax - rowsRead else {
            throw ColumnarError(.limitExceeded, "the Arrow data holds more than the limit of \(rowsMax) rows", fix: "split it into smaller files or requests")
        }
        var columns: [ColumnarColumn] = []
        for field in fields {
            columns.append(try withContext("column `\(field.name)`") { try decoder.column(field, dictionaries: dictionaries) })
        }
        return ColumnarBatch(rowCount: decoder.rowCount, columns: columns)
    }

    /// A dictionary batch: one column of values for the fields whose dictionary has its id (replacing, or extending a delta).
    private static func apply(dictionary message: ArrowMessage, fields: [ArrowFieldInfo], into dictionaries: inout [Int64: ColumnarColumn],
                              bytes: [UInt8]) throws {
        guard message.headerType == ArrowFormat.headerDictionaryBatch else { throw ColumnarError.malformed("Arrow IPC", "a dictionary block is not a dictionary batch") }
        let id = try message.header.scalar(0, default: Int64(0))
        guard let data = try message.header.table(1) else { throw ColumnarError.malformed("Arrow IPC", "a dictionary batch without data") }
        guard var field = fields.first(where: { $0.dictionary?.id == id }) else {
            throw ColumnarError.malformed("Arrow IPC", "dictionary \(id) belongs to no column")
        }
        field.dictionary = nil
        var decoder = try ArrowBatchDecoder(data, bytes: bytes, body: message.body)
        let values = try decoder.column(field, dictionaries: [:])
        if try message.header.bool(2), let existing = dictionaries[id] {
            dictionaries[id] = try concatenate(existing, values)
        } else {
            dictionaries[id] = values
        }
    }

    private static func concatenate(_ a: ColumnarColumn, _ b: ColumnarColumn) throws -> ColumnarColumn {
        var builder = ColumnarColumnBuilder(type: { switch a.values { case .int64: .int64; case .float64: .float64; case .bool: .bool; case .string: .string } }())
        for i in 0..<a.count { try builder.append(a.value(i)) }
        for i in 0..<b.count { try builder.append(b.value(i)) }
        return builder.finish()
    }
}
