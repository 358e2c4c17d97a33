import StrataColumnar
import StrataCore
import StrataTestSupport

/// Batches exercising every type, nulls and edge values, for the round-trip and fuzz tests.
enum ColumnarSamples {
    static let schema = ColumnarSchema([
        ColumnarField(name: "id", type: .int64), ColumnarField(name: "score", type: .float64), ColumnarField(name: "flag", type: .bool),
        ColumnarField(name: "name", type: .string), ColumnarField(name: "at", type: .timestamp),
    ])

    static let names = ["", "a", "héllo wörld", "日本語", "emoji 🚀", "comma, \"quote\"", "line\nbreak", String(repeating: "x", count: 300)]

    /// `rows` rows from `seed`: about one value in seven null, Int64.min/max, non-ASCII and empty strings.
    static func batch(rows: Int, seed: UInt64 = 1) throws -> ColumnarBatch {
        var random = SeededGenerator(seed: seed)
        var builders = schema.fields.map { ColumnarColumnBuilder(type: $0.type, capacity: rows) }
        for row in 0..<rows {
            let isNull = { Int.random(in: 0..<7, using: &random) == 0 }
            let extremes: [Int64] = [Int64.min, Int64.max, 0, -1]
            try builders[0].append(isNull() ? .null : .int(row % 50 == 0 ? extremes[(row / 50) % 4] : Int64.random(in: -1_000_000...1_000_000, using: &random)))
            try builders[1].append(isNull() ? .null : .float(Double.random(in: -1e6...1e6, using: &random)))
            try builders[2].append(isNull() ? .null : .bool(Bool.random(using: &random)))
            try builders[3].append(isNull() ? .null : .string(names[Int.random(in: 0..<names.count, using: &random)]))
            try builders[4].append(isNull() ? .null : .int(1_772_366_400_000_000 + Int64.random(in: -10_000_000_000...10_000_000_000, using: &random)))
        }
        return ColumnarBatch(rowCount: rows, columns: builders.indices.map { builders[$0].finish() })
    }

    /// All rows of `batches` as values, row by row.
    static func rows(_ batches: [ColumnarBatch]) -> [[Value]] {
        batches.flatMap { batch in (0..<batch.rowCount).map { row in batch.columns.map { $0.value(row) } } }
    }
}
