// The worked example in docs/semantics.md, checked against the real store so the docs stay true.
// Three rows for one driver (an original, a later hour, a late correction) and the table of answers.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct WorkedExampleTests {
    static let yaml = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: ts
        created: created
        schema: {driver_id: int64, trips: int64}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        ttl: 1h
        features:
          trips: int64
    """

    @Test("the docs' table of answers", arguments: [
        ("10:15:00", CorrectionsMode.known, false, Value.int(5), FeatureStatus.present),
        ("10:15:00", .latest, false, .int(50), .present),
        ("11:00:00", .known, false, .int(50), .present),
        ("11:00:00", .latest, false, .int(12), .present),
        ("11:10:00", .known, false, .int(12), .present),
        ("11:10:00", .latest, false, .int(12), .present),
        ("12:00:00", .known, false, .int(12), .present),
        ("12:00:00.000001", .known, false, .null, .expired),
        ("12:00:00.000001", .latest, false, .null, .expired),
        ("11:10:00", .known, true, .int(12), .present),
        ("11:00:00", .latest, true, .int(50), .present),
        ("09:59:59", .known, false, .null, .notFound),
    ])
    func answers(time: String, mode: CorrectionsMode, strict: Bool, value: Value, status: FeatureStatus) throws {
        let dir = TemporaryDirectory()
        try dir.write("trips.csv", """
        driver_id,ts,created,trips
        1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,5
        1,2026-03-01T11:00:00Z,2026-03-01T11:05:00Z,12
        1,2026-03-01T10:00:00Z,2026-03-01T10:30:00Z,50

        """)
        let view = try #require(try CompiledProject.compile([(path: "f.yaml", text: Self.yaml)]).get().views["driver_trips"])
        let store = try OfflineStore(path: dir.file("o.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        _ = try store.ingest(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["driver_id"], file: dir.file("trips.csv"),
                                           displayPath: "trips.csv", isStrict: true, now: 0, definitionVersions: [:], views: [spec]))
        let t = try Timestamp.parse("2026-03-01T\(time)Z").get()
        let result = try store.join(keys: [KeyTuple([.int(1)])], times: [t], table: spec, featureIndexes: [0],
                                    options: JoinOptions(corrections: mode, isStrict: strict))
        #expect(result.values[0][0] == value)
        #expect(result.statuses[0] == status)
    }
}
