import StrataCore

/// How an Arrow field's values are laid out in a record batch, for the types Strata reads.
enum ArrowLayout: Equatable {
    case null
    case int(bitWidth: Int, isSigned: Bool)
    case float(bytes: Int)
    case bool
    /// Utf8/Binary (32-bit offsets) or LargeUtf8/LargeBinary (64-bit offsets).
    case variableBinary(offsetBytes: Int, isText: Bool)
    /// Utf8View/BinaryView: 16-byte views into variadic data buffers.
    case binaryView(isText: Bool)
    /// Timestamp values per second in the unit: 1, 1e3, 1e6 or 1e9.
    case timestamp(perSecond: Int64)
}

/// A field of an Arrow schema as Strata reads it.
struct ArrowFieldInfo {
    var name: String
    var type: ValueType
    var layout: ArrowLayout
    /// For a dictionary-encoded field: the dictionary's id and the layout of its indices.
    var dictionary: (id: Int64, indexLayout: ArrowLayout)?

    static func decodeSchema(_ schema: FlatBufferTable) throws -> [ArrowFieldInfo] {
        guard try schema.scalar(0, default: Int16(0)) == 0 else {
            throw ColumnarError(.unsupported, "the Arrow data is big-endian", fix: "write the file on a little-endian machine or convert it with pyarrow")
        }
        return try (schema.tables(1) ?? []).map(decodeField)
    }

    private static func decodeField(_ field: FlatBufferTable) throws -> ArrowFieldInfo {
        let name = try field.string(0) ?? ""
        return try withContext("column `\(name)`") {
            guard (try field.tables(5) ?? []).isEmpty else { throw unsupported(name, "a nested type (struct, list or map)") }
            let typeID = try field.scalar(2, default: UInt8(0))
            let (type, layout) = try decodeType(typeID, try field.table(3), name: name)
            var info = ArrowFieldInfo(name: name, type: type, layout: layout)
            if let encoding = try field.table(4) {
                let id = try encoding.scalar(0, default: Int64(0))
                var indexLayout = ArrowLayout.int(bitWidth: 32, isSigned: true)
                if let index = try encoding.table(1) { indexLayout = try intLayout(index) }
                info.dictionary = (id, indexLayout)
            }
            return info
        }
    }

    private static func unsupported(_ name: String, _ what: String) -> ColumnarError {
        ColumnarError(.unsupported, "column `\(name)` has Arrow type \(what), which Strata does not read",
                      fix: "cast the column to int64, float64, bool, string or timestamp before writing the spine")
    }

    private static func intLayout(_ table: FlatBufferTable) throws -> ArrowLayout {
        let width = Int(try table.scalar(0, default: Int32(0)))
        guard [8, 16, 32, 64].contains(width) else { throw ColumnarError.malformed("Arrow IPC", "an integer of \(width) bits") }
        return .int(bitWidth: width, isSigned: try table.bool(1))
    }

    private static func decodeType(_ id: UInt8, _ table: FlatBufferTable?, name: String) throws -> (ValueType, ArrowLayout) {
        typealias ID = ArrowFormat.TypeID
        switch ID(rawValue: id) {
        case .null: return (.string, .null)
        case .int:
            guard let table else { throw ColumnarError.malformed("Arrow IPC", "an Int type without parameters") }
            return (.int64, try intLayout(table))
        case .floatingPoint:
            switch try table?.scalar(0, default: Int16(0)) {
            case 1: return (.float64, .float(bytes: 4))
            case 2: return (.float64, .float(bytes: 8))
            default: throw unsupported(name, "float16")
            }
        case .bool: return (.bool, .bool)
        case .utf8: return (.string, .variableBinary(offsetBytes: 4, isText: true))
        case .largeUtf8: return (.string, .variableBinary(offsetBytes: 8, isText: true))
        case .binary: return (.string, .variableBinary(offsetBytes: 4, isText: false))
        case .largeBinary: return (.string, .variableBinary(offsetBytes: 8, isText: false))
        case .utf8View: return (.string, .binaryView(isText: true))
        case .binaryView: return (.string, .binaryView(isText: false))
        case .timestamp:
            let perSecond: [Int16: Int64] = [0: 1, 1: 1_000, 2: 1_000_000, 3: 1_000_000_000]
            guard let scale = perSecond[try table?.scalar(0, default: Int16(0)) ?? 0] else {
                throw ColumnarError.malformed("Arrow IPC", "a timestamp with an unknown unit")
            }
            return (.timestamp, .timestamp(perSecond: scale))
        case .date: throw unsupported(name, "date (convert it to a timestamp: `pd.to_datetime(df[col], utc=True)`)")
        case .time: throw unsupported(name, "time of day")
        case .decimal: throw unsupported(name, "decimal")
        case .duration: throw unsupported(name, "duration")
        case .interval: throw unsupported(name, "interval")
        case .fixedSizeBinary: throw unsupported(name, "fixed-size binary")
        case .list, .largeList, .fixedSizeList, .listView, .largeListView: throw unsupported(name, "list")
        case .structure, .map, .union: throw unsupported(name, "struct, map or union")
        case .runEndEncoded: throw unsupported(name, "run-end encoded")
        case nil: throw ColumnarError.malformed("Arrow IPC", "unknown type id \(id)")
        }
    }
}
