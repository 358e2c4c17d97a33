import StrataCore

/// One flat column of a Parquet file as Strata reads it: where its values are and how they become a Strata type.
struct ParquetLeaf {
    enum Conversion {
        case none
        /// INT32 (also INT_8, INT_16, UINT_8, UINT_16) widened to int64.
        case int32
        case uint32
        /// UINT_64: values above Int64.max are refused.
        case uint64
        case float32
        /// INT64 timestamps in milliseconds or nanoseconds, scaled to microseconds.
        case millis, nanos
        /// Legacy INT96 timestamps (nanoseconds of the day and a Julian day), as Spark and Impala write them.
        case int96
        /// BYTE_ARRAY without a STRING annotation: accepted when the bytes are UTF-8.
        case unannotatedBinary
        /// Parquet's NullType: every value is null.
        case allNull
    }

    var name: String
    var physical: ParquetPhysicalType
    var isOptional: Bool
    var type: ValueType
    var conversion: Conversion
}

/// What Strata needs of a column chunk's metadata.
struct ParquetChunkInfo {
    var codec: Int32
    var valueCount: Int64
    var range: Range<Int>
}

/// The footer of a Parquet file, decoded and checked: flat columns mapped to Strata types, row groups located.
struct ParquetFileMetadata {
    var leaves: [ParquetLeaf]
    var rowGroups: [(rowCount: Int, chunks: [ParquetChunkInfo])]
    var rowCount: Int

    static let format = "Parquet"

    static func decode(_ bytes: [UInt8]) throws -> ParquetFileMetadata {
        guard bytes.count >= 12, Array(bytes[0..<4]) == ParquetWriter.magic else {
            throw ColumnarError(.malformed, "not a Parquet file (it does not start with `PAR1`)", fix: "pass a .parquet file, or check that it was written completely")
        }
        let tail = Array(bytes[(bytes.count - 4)...])
        if tail == Array("PARE".utf8) {
            throw ColumnarError(.unsupported, "the Parquet file is encrypted", fix: "write the spine without Parquet encryption")
        }
        guard tail == ParquetWriter.magic else {
            throw ColumnarError(.malformed, "the Parquet file does not end with `PAR1`: it is truncated", fix: "write the file again completely")
        }
        var lengthCursor = ByteCursor(bytes, range: (bytes.count - 8)..<(bytes.count - 4), format: format)
        let footerLength = Int(try lengthCursor.littleEndian(UInt32.self))
        guard footerLength <= bytes.count - 12 else { throw ColumnarError.malformed(format, "the footer length \(footerLength) exceeds the file") }
        var reader = ThriftReader(bytes, range: (bytes.count - 8 - footerLength)..<(bytes.count - 8))
        let file = try reader.readStruct()
        let leaves = try decodeSchema(file, bytes)
        var rowGroups: [(rowCount: Int, chunks: [ParquetChunkInfo])] = []
        for (index, value) in (file.list(4) ?? []).enumerated() {
            guard case .structure(let group) = value else { throw ColumnarError.malformed(format, "row group \(index) is not a struct") }
            rowGroups.append(try withContext("row group \(index)") { try decodeRowGroup(group, leaves: leaves, fileSize: bytes.count) })
        }
        guard let total = file.int(3), total >= 0, total == rowGroups.reduce(0, { $0 + Int64($1.rowCount) }) else {
            throw ColumnarError.malformed(format, "the row count does not match the row groups'")
        }
        return ParquetFileMetadata(leaves: leaves, rowGroups: rowGroups, rowCount: Int(total))
    }

    private static func decodeSchema(_ file: ThriftStruct, _ bytes: [UInt8]) throws -> [ParquetLeaf] {
        guard let elements = file.list(2), case .structure(let root)? = elements.first else {
            throw ColumnarError.malformed(format, "the footer has no schema")
        }
        let childCount = root.int(5) ?? 0
        guard childCount == Int64(elements.count - 1) else {
            var name = "?"
            for case .structure(let element) in elements.dropFirst() where (element.int(5) ?? 0) > 0 {
                name = text(element.binary(4), bytes)
                break
            }
            throw ColumnarError(.unsupported, "column `\(name)` is nested (a struct, list or map); Strata reads flat columns only",
                                fix: "flatten the column (one scalar per row) before writing the spine")
        }
        return try elements.dropFirst().map { value in
            guard case .structure(let element) = value else { throw ColumnarError.malformed(format, "a schema element is not a struct") }
            let name = text(element.binary(4), bytes)
            return try withContext("column `\(name)`") { try leaf(element, name: name) }
        }
    }

    static func text(_ range: Range<Int>?, _ bytes: [UInt8]) -> String {
        range.map { String(decoding: bytes[$0], as: UTF8.self) } ?? ""
    }

    private static func decodeRowGroup(_ group: ThriftStruct, leaves: [ParquetLeaf], fileSize: Int) throws -> (rowCount: Int, chunks: [ParquetChunkInfo]) {
        guard let rows = group.int(3), rows >= 0, rows <= Int64(Int32.max) * 64 else { throw ColumnarError.malformed(format, "bad row count") }
        let columns = group.list(1) ?? []
        guard columns.count == leaves.count else {
            throw ColumnarError.malformed(format, "\(columns.count) column chunks for \(leaves.count) columns")
        }
        var chunks: [ParquetChunkInfo] = []
        for (value, leaf) in zip(columns, leaves) {
            guard case .structure(let chunk) = value, let meta = chunk.structure(3) else {
                throw ColumnarError.malformed(format, "column `\(leaf.name)` has no chunk metadata")
            }
            guard chunk.binary(1) == nil else {
                throw ColumnarError(.unsupported, "column `\(leaf.name)` keeps its data in another file", context: "column `\(leaf.name)`",
                                    fix: "write the spine as one self-contained Parquet file")
            }
            guard let codec = meta.int(4), let valueCount = meta.int(5), let dataOffset = meta.int(9), let size = meta.int(7) else {
                throw ColumnarError.malformed(format, "column `\(leaf.name)`: the chunk metadata lacks a required field")
            }
            var start = dataOffset
            if let dictionary = meta.int(11), dictionary > 0, dictionary < dataOffset { start = dictionary }
            guard valueCount == rows, let range = checkedRange(offset: start, length: size, limit: fileSize),
                  let codec32 = Int32(exactly: codec) else {
                throw ColumnarError.malformed(format, "column `\(leaf.name)`: the chunk's offsets, size or value count are out of range")
            }
            chunks.append(ParquetChunkInfo(codec: codec32, valueCount: valueCount, range: range))
        }
        return (Int(rows), chunks)
    }
}
