import StrataCore

/// How a Parquet column's physical and logical types become one of Strata's types, or why they cannot.
extension ParquetFileMetadata {
    /// `LogicalType` union members (parquet.thrift).
    private enum Logical: Int16 {
        case string = 1, map = 2, list = 3, enumeration = 4, decimal = 5, date = 6, time = 7, timestamp = 8, integer = 10
        case unknown = 11, json = 12, bson = 13, uuid = 14, float16 = 15
    }

    static func leaf(_ element: ThriftStruct, name: String) throws -> ParquetLeaf {
        guard let rawType = element.int(1) else {
            throw ColumnarError(.unsupported, "column `\(name)` is a group (a struct, list or map); Strata reads flat columns only",
                                fix: "flatten the column (one scalar per row) before writing the spine")
        }
        guard let physical = Int32(exactly: rawType).flatMap(ParquetPhysicalType.init(rawValue:)) else {
            throw ColumnarError.malformed(format, "column `\(name)` has unknown physical type \(rawType)")
        }
        let repetition = element.int(3) ?? 0
        guard repetition != 2 else {
            throw ColumnarError(.unsupported, "column `\(name)` is repeated (a list); Strata reads one value per row",
                                fix: "flatten the column before writing the spine")
        }
        let converted = element.int(6)
        let logicalStruct = element.structure(10)
        let logical = logicalStruct?.fields.first.flatMap { Logical(rawValue: $0.id) }
        func leaf(_ type: ValueType, _ conversion: ParquetLeaf.Conversion) -> ParquetLeaf {
            ParquetLeaf(name: name, physical: physical, isOptional: repetition == 1, type: type, conversion: conversion)
        }
        func unsupported(_ what: String, _ fix: String) -> ColumnarError {
            ColumnarError(.unsupported, "column `\(name)` has Parquet type \(what), which Strata does not read", fix: fix)
        }
        if logical == .unknown { return leaf(.string, .allNull) }
        if logical == .decimal || converted == 5 {
            throw unsupported("DECIMAL", "cast the column to float64 or int64 before writing the spine")
        }
        if logical == .date || converted == 6 {
            throw unsupported("DATE", "convert dates to timestamps before writing the spine (pandas: `pd.to_datetime(df[col], utc=True)`)")
        }
        if logical == .time || converted == 7 || converted == 8 {
            throw unsupported("TIME", "combine the time with a date into a timestamp, or write it as a string")
        }
        switch physical {
        case .boolean: return leaf(.bool, .none)
        case .int32:
            let isUnsigned = converted.map { (11...13).contains($0) } ?? false
                || (logical == .integer && logicalStruct?.structure(Logical.integer.rawValue)?.bool(2) == false)
            return leaf(.int64, isUnsigned ? .uint32 : .int32)
        case .int64:
            if logical == .timestamp {
                let unit = logicalStruct?.structure(Logical.timestamp.rawValue)?.structure(2)?.fields.first?.id
                switch unit {
                case 1: return leaf(.timestamp, .millis)
                case 2: return leaf(.timestamp, .none)
                case 3: return leaf(.timestamp, .nanos)
                default: throw ColumnarError.malformed(format, "column `\(name)`: a timestamp without a known unit")
                }
            }
            if converted == 9 { return leaf(.timestamp, .millis) }
            if converted == 10 { return leaf(.timestamp, .none) }
            let isUnsigned = converted == 14 || (logical == .integer && logicalStruct?.structure(Logical.integer.rawValue)?.bool(2) == false)
            return leaf(.int64, isUnsigned ? .uint64 : .none)
        case .int96: return leaf(.timestamp, .int96)
        case .float: return leaf(.float64, .float32)
        case .double: return leaf(.float64, .none)
        case .byteArray:
            if logical == .bson || converted == 20 { throw unsupported("BSON", "decode the documents into flat columns before writing the spine") }
            let isText = [.string, .enumeration, .json].contains(logical) || [0, 4, 19].contains(converted)
            return leaf(.string, isText ? .none : .unannotatedBinary)
        case .fixedLenByteArray:
            let what = logical == .uuid ? "UUID" : logical == .float16 ? "FLOAT16" : "FIXED_LEN_BYTE_ARRAY"
            throw unsupported(what, "cast the column to a string, int64 or float64 before writing the spine")
        }
    }
}
