// Ingest reads files through a bounded sliding window: records that straddle window boundaries (quoted newlines,
// escaped quotes, CRLF split between windows), a record longer than the window, JSON Lines, appends, and
// non-finite numbers quarantined. The stored rows and line numbers must equal what was written.
import Foundation
import GRDB
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct IngestStreamingTests {
    static let yaml = """
    entities:
      - name: thing
        join_keys: {id: int64}
    sources:
      - name: notes
        path: notes.csv
        timestamp: ts
        schema: {id: int64, note: string, score: float64}
    feature_views:
      - name: things
        entities: [thing]
        source: notes
        features:
          note: string
    """

    struct Fixture {
        let dir = TemporaryDirectory()
        let store: OfflineStore
        let spec: FeatureTableSpec
        let storage: StoredTable

        init(format: String = "csv") throws {
            store = try OfflineStore(path: dir.file("offline.db").path)
            let text = IngestStreamingTests.yaml.replacingOccurrences(of: "path: notes.csv", with: "path: notes.\(format)\n    format: \(format)")
            let project = try CompiledProject.compile([(path: "f.yaml", text: text)]).get()
            (spec, storage) = try store.standaloneTable(try #require(project.views["things"]))
        }

        func ingest(_ file: String) throws -> IngestReport {
            try store.ingest(IngestRequest(source: spec.view.source, sourceVersion: 1, storage: storage, keyColumns: ["id"], file: dir.file(file), displayPath: file,
                                           isStrict: false, now: 1_000_000, definitionVersions: [:], views: [spec]))
        }

        /// Stored rows in ingest order: (line, id, note).
        func rows() throws -> [(Int, Int64, String)] {
            try DatabaseQueue(path: dir.file("offline.db").path).read { db in
                try Row.fetchAll(db, sql: "SELECT strata_line, id, note FROM \(quoted(storage.tableName)) ORDER BY strata_row_id").map { ($0[0], $0[1], $0[2] ?? "") }
            }
        }
    }

    /// A note with the characters that make CSV hard, of a random length.
    static func note(_ rng: inout SeededGenerator, length: Int) -> String {
        let pieces = ["a", "b", ",", "\"", "\n", "\r\n", "é", "漢", " ", "\"\"", "x,y"]
        var text = ""
        while text.utf8.count < length { text += pieces.randomElement(using: &rng) ?? "a" }
        return text
    }

    static func csvField(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    @Test("CSV records crossing window boundaries, and one longer than the window, are stored whole with their first line")
    func csvAcrossWindows() throws {
        let f = try Fixture()
        var rng = SeededGenerator(seed: propertyTestSeed("csv windows"))
        var text = "id,ts,note,score\r\n"
        var expected: [(Int, Int64, String)] = []
        var line = 2
        for id in 0..<2500 {
            let length = id == 1200 ? (3 << 20) / 2 : Int.random(in: 0...3000, using: &rng)
            let note = Self.note(&rng, length: length)
            expected.append((line, Int64(id), note))
            text += "\(id),2026-03-01T12:00:00Z,\(Self.csvField(note)),0.5\r\n"
            line += 1 + note.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count - 1
        }
        try f.dir.write("notes.csv", text)
        #expect(text.utf8.count > 3 * SourceFile.chunkBytes)
        let report = try f.ingest("notes.csv")
        #expect(report.rowsAccepted == 2500)
        #expect(report.rowsQuarantined == 0)
        let stored = try f.rows()
        #expect(stored.count == expected.count)
        for (got, want) in zip(stored, expected) where got != want {
            Issue.record("row \(want.1): stored line \(got.0), \(got.2.utf8.count) bytes; expected line \(want.0), \(want.2.utf8.count) bytes")
            break
        }
        // Appending across the window keeps counting lines from where the first run stopped.
        var more = ""
        for id in 2500..<2600 { more += "\(id),2026-03-01T13:00:00Z,\(Self.csvField("more \(id)")),1.5\r\n" }
        try f.dir.write("notes.csv", text + more)
        let appended = try f.ingest("notes.csv")
        #expect(appended.change == .appended)
        #expect(appended.rowsAccepted == 100)
        #expect(try f.rows().last.map { $0.0 } == line + 99)
    }

    @Test("JSON Lines records crossing window boundaries are stored whole, with their line numbers")
    func jsonLinesAcrossWindows() throws {
        let f = try Fixture(format: "jsonl")
        var rng = SeededGenerator(seed: propertyTestSeed("jsonl windows"))
        var lines: [String] = [], notes: [String] = []
        for id in 0..<3000 {
            let note = String(repeating: "z", count: Int.random(in: 0...2000, using: &rng)) + "\u{00E9}"
            notes.append(note)
            lines.append(#"{"id": \#(id), "ts": "2026-03-01T12:00:00Z", "note": "\#(note)", "score": 2.5}"#)
        }
        try f.dir.write("notes.jsonl", lines.joined(separator: "\n"))
        let report = try f.ingest("notes.jsonl")
        #expect(report.rowsAccepted == 3000)
        let stored = try f.rows()
        #expect(stored.map(\.0) == Array(1...3000))
        #expect(stored.map(\.2) == notes)
    }

    @Test("NaN and infinite source values are quarantined, in CSV and JSON Lines", arguments: ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999"])
    func nonFiniteQuarantined(text: String) throws {
        let csv = try Fixture()
        try csv.dir.write("notes.csv", "id,ts,note,score\n1,2026-03-01T12:00:00Z,a,\(text)\n2,2026-03-01T12:00:00Z,b,1\n")
        let report = try csv.ingest("notes.csv")
        #expect(report.rowsQuarantined == 1)
        #expect(report.quarantineSample.first?.reason.contains("is not a float64") == true)
        let json = try Fixture(format: "jsonl")
        let value = Double(text) == nil ? "\"\(text)\"" : text
        try json.dir.write("notes.jsonl", #"{"id": 1, "ts": "2026-03-01T12:00:00Z", "note": "a", "score": \#(value)}"# + "\n")
        #expect(try json.ingest("notes.jsonl").rowsQuarantined == 1)
    }
}
