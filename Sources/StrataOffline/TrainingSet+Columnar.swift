public import StrataColumnar
import StrataCore

extension TrainingSet {
    /// The training set's columns in Parquet and Arrow output: the spine's columns with their types (a CSV spine's are
    /// typed by `SpineColumnTypes` before writing; text until then),
    /// one column per feature with the feature's type, then per status view a `view__status` string and a
    /// `view__event_ts` timestamp.
    public var columnarSchema: ColumnarSchema {
        let spineFields = spine.typedColumns?.schema.fields ?? spine.header.map { ColumnarField(name: $0, type: .string) }
        var fields = spineFields + columns.map { ColumnarField(name: $0.name, type: $0.type) }
        for view in statusViews {
            fields.append(ColumnarField(name: "\(view)__status", type: .string))
            fields.append(ColumnarField(name: "\(view)__event_ts", type: .timestamp))
        }
        return ColumnarSchema(fields)
    }

    /// Rows `range` as one batch of `columnarSchema`, for the Parquet and Arrow writers (and the server's Arrow stream).
    public func columnarBatch(_ range: Range<Int>) throws -> ColumnarBatch {
        var batchColumns: [ColumnarColumn] = []
        if let typed = spine.typedColumns {
            batchColumns = typed.columns.map { $0.slice(range) }
        } else {
            for index in spine.header.indices {
                var strings = ColumnarStrings()
                strings.reserveCapacity(count: range.count, bytes: range.count * 8)
                for row in range { strings.append(spine.rows[row][index]) }
                batchColumns.append(ColumnarColumn(.string(strings)))
            }
        }
        for column in columns {
            var builder = ColumnarColumnBuilder(type: column.type, capacity: range.count)
            let values = results[column.viewIndex].values[column.featureIndex]
            for row in range { try builder.append(values[row]) }
            batchColumns.append(builder.finish())
        }
        for viewIndex in statusViews.indices {
            let result = results[viewIndex]
            batchColumns.append(ColumnarColumn(.string(ColumnarStrings(result.statuses[range].map(\.rawValue)))))
            var times = ColumnarColumnBuilder(type: .timestamp, capacity: range.count)
            for row in range { try times.append(result.eventTimes[row].map(Value.int) ?? .null) }
            batchColumns.append(times.finish())
        }
        return ColumnarBatch(rowCount: range.count, columns: batchColumns)
    }
}
