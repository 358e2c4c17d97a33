import StrataCore

/// What the footer records about one written row group.
struct ParquetRowGroupMetadata {
    var chunks: [ParquetChunkMetadata]
    var rowCount: Int64
    var ordinal: Int
}

/// Encodes Parquet's `FileMetaData` (parquet.thrift) for a flat schema of optional columns.
enum ParquetFooter {
    static func encode(schema: ColumnarSchema, rowGroups: [ParquetRowGroupMetadata], options: ParquetWriteOptions) -> [UInt8] {
        var w = ThriftWriter()
        w.writeStruct { w in
            w.i32(1, 2)  // version
            w.list(2, structs: [nil] + schema.fields.map { Optional($0) }) { w, field in
                guard let field else {
                    w.string(4, "schema")
                    w.i32(5, Int32(clamping: schema.fields.count))
                    return
                }
                schemaElement(field, &w)
            }
            w.i64(3, rowGroups.reduce(0) { $0 + $1.rowCount })
            w.list(4, structs: rowGroups) { w, group in rowGroup(group, &w) }
            w.string(6, options.createdBy)
            // TYPE_DEFINED_ORDER for every column, so readers trust min_value / max_value.
            w.list(7, structs: schema.fields) { w, _ in w.emptyStructure(1) }
        }
        return w.bytes
    }

    private static func schemaElement(_ field: ColumnarField, _ w: inout ThriftWriter) {
        let physical: ParquetPhysicalType
        switch field.type {
        case .int64, .timestamp: physical = .int64
        case .float64: physical = .double
        case .bool: physical = .boolean
        case .string: physical = .byteArray
        }
        w.i32(1, physical.rawValue)
        w.i32(3, 1)  // OPTIONAL: every column may hold nulls
        w.string(4, field.name)
        switch field.type {
        case .string:
            w.i32(6, ParquetConvertedType.utf8.rawValue)
            w.structure(10) { $0.emptyStructure(1) }  // LogicalType.STRING
        case .timestamp:
            w.i32(6, ParquetConvertedType.timestampMicros.rawValue)
            w.structure(10) { logical in
                logical.structure(8) { timestamp in  // LogicalType.TIMESTAMP
                    timestamp.bool(1, true)  // isAdjustedToUTC
                    timestamp.structure(2) { $0.emptyStructure(2) }  // TimeUnit.MICROS
                }
            }
        default: break
        }
    }

    private static func rowGroup(_ group: ParquetRowGroupMetadata, _ w: inout ThriftWriter) {
        w.list(1, structs: group.chunks) { w, chunk in
            w.i64(2, chunk.startOffset)
            w.structure(3) { columnMetadata(chunk, &$0) }
        }
        w.i64(2, group.chunks.reduce(0) { $0 + $1.uncompressedBytes })
        w.i64(3, group.rowCount)
        if let first = group.chunks.first { w.i64(5, first.startOffset) }
        w.i64(6, group.chunks.reduce(0) { $0 + $1.compressedBytes })
        if let ordinal = Int16(exactly: group.ordinal) { w.i16(7, ordinal) }
    }

    private static func columnMetadata(_ chunk: ParquetChunkMetadata, _ w: inout ThriftWriter) {
        w.i32(1, chunk.physicalType.rawValue)
        w.list(2, i32s: chunk.encodings.map(\.rawValue))
        w.list(3, strings: [chunk.name])
        w.i32(4, chunk.codec.rawValue)
        w.i64(5, chunk.valueCount)
        w.i64(6, chunk.uncompressedBytes)
        w.i64(7, chunk.compressedBytes)
        w.i64(9, chunk.dataPageOffset)
        if let dictionary = chunk.dictionaryPageOffset { w.i64(11, dictionary) }
        w.structure(12) { s in
            s.i64(3, chunk.nullCount)
            if let minMax = chunk.minMax {
                s.binary(5, minMax.max)
                s.binary(6, minMax.min)
            }
        }
    }
}
