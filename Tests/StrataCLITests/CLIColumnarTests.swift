// Parquet and Arrow training sets through the `strata` binary: the same cells as CSV, typed spines passed through with
// their types, empty spines, and byte-identical reproductions.
import Foundation
import StrataColumnar
import StrataCore
import StrataTestSupport
import Testing

@Suite struct CLIColumnarTests {
    func project() throws -> TemporaryDirectory {
        let dir = try CLIOfflineTests().project()
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        return dir
    }

    func read(_ url: URL) throws -> (ColumnarSchema, [[Value]]) {
        let bytes = [UInt8](try Data(contentsOf: url))
        var batches: [ColumnarBatch] = []
        let schema: ColumnarSchema
        if url.pathExtension == "parquet" {
            let reader = try ParquetReader(bytes: bytes)
            schema = reader.schema
            for index in 0..<reader.rowGroupCount { batches.append(try reader.readRowGroup(index)) }
        } else {
            var reader = try ArrowReader(bytes: bytes)
            schema = reader.schema
            while let batch = try reader.next() { batches.append(batch) }
        }
        return (schema, batches.flatMap { batch in (0..<batch.rowCount).map { row in batch.columns.map { $0.value(row) } } })
    }

    /// A typed cell as the CSV output writes it (the status columns' event times in RFC 3339). The spine's time column
    /// is an instant in UTC; the CSV keeps the spine's text, so it is compared as the instant that text names.
    func csvText(_ value: Value, _ field: ColumnarField, csv: String) -> String {
        switch value {
        case .null: return ""
        case .int(let v) where field.type == .timestamp:
            if field.name == "event_timestamp", case .success(v) = Timestamp.parse(csv) { return csv }
            return Timestamp.format(v)
        default: return value.description
        }
    }

    @Test("Parquet and Arrow outputs hold the CSV output's cells, with typed feature and status columns")
    func sameCellsAsCSV() throws {
        let dir = try project()
        let arguments = ["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--include-status", "--out"]
        #expect(try CLIRunner.run(arguments + ["t.csv"], in: dir.path).exitCode == 0)
        let csvRows = try dir.read("t.csv").split(separator: "\n").dropFirst().map { String($0) }
        for out in ["t.parquet", "t.arrow"] {
            let result = try CLIRunner.run(arguments + [out], in: dir.path)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let (schema, rows) = try read(dir.file(out))
            // A CSV spine's join key has its declared type and its time column is timestamp[us, UTC] (issue 22, item 4).
            #expect(schema.fields.map(\.type) == [.int64, .timestamp, .string, .int64, .bool, .string, .timestamp])
            #expect(rows.count == 7)
            for (row, csv) in zip(rows, csvRows) {
                let csvCells = csv.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                var line: [UInt8] = []
                for (index, cell) in zip(schema.fields, row).enumerated().map({ csvText($1.1, $1.0, csv: csvCells[min($0, csvCells.count - 1)]) }).enumerated() {
                    if index > 0 { line.append(UInt8(ascii: ",")) }
                    line += cell.contains(",") ? Array("\"\(cell)\"".utf8) : Array(cell.utf8)
                }
                #expect(String(decoding: line, as: UTF8.self) == csv, "\(out)")
            }
            let manifest = try dir.read(out.replacingOccurrences(of: out.hasSuffix("parquet") ? ".parquet" : ".arrow", with: ".manifest.json"))
            #expect(manifest.contains("\"format\" : \"\(out.hasSuffix("parquet") ? "parquet" : "arrow")\""))
            #expect(manifest.contains("\"fileSHA256\" : \"\(SHA256.hex(try Data(contentsOf: dir.file(out))))\""))
        }
    }

    @Test("a Parquet spine keeps its column types in the output, nulls and NaN included; CSV shows them as text")
    func typedSpine() throws {
        let dir = try project()
        let schema = ColumnarSchema([
            ColumnarField(name: "driver_id", type: .int64), ColumnarField(name: "event_timestamp", type: .timestamp),
            ColumnarField(name: "weight", type: .float64), ColumnarField(name: "tag", type: .string),
        ])
        let batch = ColumnarBatch(rowCount: 3, columns: [
            ColumnarColumn(.int64([1, 2, 0]), validity: [true, true, false]),
            ColumnarColumn(.int64([1_772_362_800_000_000, 1_772_362_800_000_001, 1_772_362_800_000_000])),
            ColumnarColumn(.float64([0.25, .nan, -1])),
            ColumnarColumn(.string(ColumnarStrings(["ü", "", ""])), validity: [true, true, false]),
        ])
        var writer = try ParquetWriter(schema: schema)
        try Data(try writer.write(batch) + writer.finish()).write(to: dir.file("spine.parquet"))
        let arguments = ["historical", "--entities", "spine.parquet", "--features", "driver_trips:trips", "--out"]
        let parquet = try CLIRunner.run(arguments + ["typed.parquet"], in: dir.path)
        #expect(parquet.exitCode == 0, "\(parquet.stderr)")
        let (outSchema, rows) = try read(dir.file("typed.parquet"))
        #expect(Array(outSchema.fields.prefix(4)) == schema.fields)
        #expect(rows.map { $0[4] } == [.int(5), .null, .null])
        #expect(rows[1][2] == .null, "NaN is written as null")
        #expect(rows[2][3] == .null && rows[1][3] == .string(""))
        #expect(try CLIRunner.run(arguments + ["typed.csv"], in: dir.path).exitCode == 0)
        #expect(try dir.read("typed.csv") == """
        driver_id,event_timestamp,weight,tag,driver_trips__trips
        1,2026-03-01T11:00:00.000000Z,0.25,ü,5
        2,2026-03-01T11:00:00.000001Z,,,
        ,2026-03-01T11:00:00.000000Z,-1.0,,

        """)
    }

    @Test("an empty spine gives empty Parquet and Arrow files that keep the schema")
    func emptySpine() throws {
        let dir = try project()
        try dir.write("empty.csv", "driver_id,event_timestamp\n")
        for out in ["e.parquet", "e.arrow"] {
            let result = try CLIRunner.run(["historical", "--entities", "empty.csv", "--features", "driver_trips:*", "--out", out], in: dir.path)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let (schema, rows) = try read(dir.file(out))
            #expect(schema.fields.map(\.name) == ["driver_id", "event_timestamp", "driver_trips__trips", "driver_trips__busy"])
            #expect(rows.isEmpty)
        }
    }

    @Test("a CSV spine's other columns are int64, float64, bool or timestamp when every value parses, else string")
    func inferredSpineTypes() throws {
        let dir = try project()
        try dir.write("labels.csv", """
        driver_id,event_timestamp,count,ratio,flag,seen,mixed,blank,code
        1,2026-03-01T11:00:00Z,3,0.5,true,2026-03-01T10:00:00+01:00,1,,007
        2,2026-03-01T11:00:00Z,,2,False,,x,,-0
        9223372036854775807,2026-03-01T12:00:00+05:30,-4,1e3,TRUE,2026-03-01T10:00:00Z,2.5,,1

        """)
        for out in ["l.parquet", "l.arrow"] {
            let result = try CLIRunner.run(["historical", "--entities", "labels.csv", "--features", "driver_trips:trips", "--out", out], in: dir.path)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let (schema, rows) = try read(dir.file(out))
            #expect(schema.fields.map(\.name) == ["driver_id", "event_timestamp", "count", "ratio", "flag", "seen", "mixed", "blank", "code", "driver_trips__trips"])
            #expect(schema.fields.map(\.type) == [.int64, .timestamp, .int64, .float64, .bool, .timestamp, .string, .string, .int64, .int64])
            #expect(rows[0].prefix(9) == [.int(1), .int(try Timestamp.parse("2026-03-01T11:00:00Z").get()), .int(3), .float(0.5), .bool(true),
                                          .int(try Timestamp.parse("2026-03-01T09:00:00Z").get()), .string("1"), .string(""), .int(7)])
            #expect(rows[1].prefix(9) == [.int(2), .int(try Timestamp.parse("2026-03-01T11:00:00Z").get()), .null, .float(2), .bool(false), .null,
                                          .string("x"), .string(""), .int(0)])
            #expect(rows[2][0] == .int(Int64.max))
            #expect(rows[2][1] == .int(try Timestamp.parse("2026-03-01T06:30:00Z").get()), "the time column is in UTC")
        }
    }

    @Test("--reproduce gives byte-identical Parquet and Arrow files after a late correction")
    func reproduceBytes() throws {
        let dir = try project()
        var ids: [String: String] = [:]
        for out in ["a.parquet", "a.arrow"] {
            let first = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", out, "--json"], in: dir.path)
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
            ids[out] = try #require(manifest["id"] as? String)
        }
        try dir.write("trips.csv", CLIOfflineTests.trips + "1,2026-03-01T10:00:00Z,2026-03-01T10:30:00Z,50\n")
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        for (out, id) in ids {
            let fresh = try CLIRunner.run(["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "fresh-" + out], in: dir.path)
            #expect(fresh.exitCode == 0)
            #expect(try Data(contentsOf: dir.file("fresh-" + out)) != Data(contentsOf: dir.file(out)), "the correction changes a fresh request")
            let again = try CLIRunner.run(["historical", "--reproduce", id, "--out", "copy-" + out], in: dir.path)
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect(try Data(contentsOf: dir.file("copy-" + out)) == Data(contentsOf: dir.file(out)))
        }
    }

    @Test("a spine of an unsupported type or without its time column fails with the column named and a fix")
    func spineErrors() throws {
        let dir = try project()
        let schema = ColumnarSchema([ColumnarField(name: "driver_id", type: .int64), ColumnarField(name: "when", type: .timestamp)])
        var writer = try ParquetWriter(schema: schema)
        try Data(try writer.finish()).write(to: dir.file("notime.parquet"))
        let missing = try CLIRunner.run(["historical", "--entities", "notime.parquet", "--features", "driver_trips:*", "--out", "x.parquet"], in: dir.path)
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("the spine has no `event_timestamp` column (found: driver_id, when)"))
        try dir.write("broken.arrow", "ARROW1 not really")
        let broken = try CLIRunner.run(["historical", "--entities", "broken.arrow", "--features", "driver_trips:*", "--out", "x.parquet"], in: dir.path)
        #expect(broken.exitCode == 1)
        #expect(broken.stderr.contains("broken.arrow"))
        #expect(broken.stderr.contains("fix:"))
    }
}
