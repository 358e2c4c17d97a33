// The windowed-aggregation worked example in docs/semantics.md, checked against the real store so the docs stay true:
// four trips of one driver (one corrected later), four aggregations, and the table of answers.
import Foundation
import StrataCore
@testable import StrataOffline
import StrataTestSupport
import Testing

@Suite struct AggregationWorkedExampleTests {
    static let yaml = """
    entities:
      - name: driver
        join_keys: {driver_id: int64}
    sources:
      - name: trips
        path: trips.csv
        timestamp: ts
        created: created
        id: trip_id
        schema: {trip_id: string, driver_id: int64, fare: int64, status: string}
    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips
        aggregations:
          trips_1h: {function: count, window: 1h}
          fare_1h: {function: sum, column: fare, window: 1h, where: "status = 'completed'"}
          fare_exact_1h: {function: sum, column: fare, window: 1h, hop: 0, where: "status = 'completed'"}
          fare_24h: {function: sum, column: fare, window: 24h, where: "status = 'completed'"}
    """

    static let trips = """
    trip_id,driver_id,ts,created,fare,status
    t1,1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,10,completed
    t2,1,2026-03-01T10:17:00Z,2026-03-01T10:25:00Z,20,completed
    t3,1,2026-03-01T10:50:00Z,2026-03-01T10:55:00Z,5,cancelled
    t2,1,2026-03-01T10:17:00Z,2026-03-01T11:30:00Z,24,completed

    """

    /// (spine time, mode, strict, trips_1h, fare_1h, fare_exact_1h, fare_24h, status): the docs' table, row by row.
    @Test("the docs' table of answers", arguments: [
        ("09:59", CorrectionsMode.known, false, Value.null, Value.null, Value.null, Value.null, FeatureStatus.notFound),
        ("10:00", .known, false, .int(1), .int(10), .int(10), .int(10), .present),
        ("10:30", .known, false, .int(2), .int(30), .int(30), .int(30), .present),
        ("10:30", .latest, false, .int(2), .int(34), .int(34), .int(34), .present),
        ("11:00", .known, false, .int(2), .int(20), .int(20), .int(30), .present),
        ("11:00", .known, true, .int(3), .int(30), .int(30), .int(30), .present),
        ("11:19", .known, false, .int(2), .int(20), .null, .int(30), .present),
        ("11:35", .known, false, .int(1), .null, .null, .int(34), .present),
        ("12:30", .known, false, .int(0), .null, .null, .int(34), .present),
    ])
    func answers(time: String, mode: CorrectionsMode, strict: Bool, trips: Value, fare: Value, exact: Value, day: Value, status: FeatureStatus) throws {
        let dir = TemporaryDirectory()
        try dir.write("trips.csv", Self.trips)
        let view = try #require(try CompiledProject.compile([(path: "f.yaml", text: Self.yaml)]).get().views["driver_trips"])
        let store = try OfflineStore(path: dir.file("o.db").path)
        let (spec, storage) = try store.standaloneTable(view)
        _ = try store.ingest(IngestRequest(source: view.source, sourceVersion: 1, storage: storage, keyColumns: ["driver_id"], file: dir.file("trips.csv"),
                                           displayPath: "trips.csv", isStrict: true, now: 0, definitionVersions: [:], views: [spec]))
        let t = try Timestamp.parse("2026-03-01T\(time):00Z").get()
        let result = try store.aggregate(keys: [KeyTuple([.int(1)])], times: [t], table: spec, aggregationIndexes: [0, 1, 2, 3],
                                         options: JoinOptions(corrections: mode, isStrict: strict))
        #expect(result.values.map { $0[0] } == [trips, fare, exact, day])
        #expect(result.statuses[0] == status)
    }
}
