// The LMDB online store on a real environment in a temp folder: map growth from a tiny map, corrupt values as errors,
// out-of-order and shuffled writes converging, and readers seeing a whole write transaction or none of it.
import Foundation
import StrataCore
@testable import StrataOnline
import StrataTestSupport
import Testing

@Suite struct OnlineStoreTests {
    let layout = OnlineViewLayout(databaseName: "fv__v__v1__s1", view: "v", featureNames: ["x", "label"], featureTypes: [.int64, .string], ttlMicros: nil)

    func row(_ event: Int64, _ created: Int64, _ seq: Int64, _ x: Int64) -> OnlineRow {
        OnlineRow(eventTs: event, createdTs: created, ingestSeq: seq, lineageID: seq, values: [.int(x), .string("row \(x)")])
    }

    @Test("the map grows past a tiny initial size instead of failing")
    func mapGrowth() throws {
        let dir = TemporaryDirectory()
        let store = try OnlineStore(path: dir.file("online").path, options: .init(mapSizeBytes: 64 * 1024))
        let initial = store.mapSizeBytes
        try store.write(layouts: [layout]) { batch in
            for i in 0..<20_000 { try batch.upsert(layout, key: KeyTuple([.int(Int64(i))]), row: row(1, 1, Int64(i), Int64(i))) }
        }
        #expect(store.mapSizeBytes > initial)
        let rows = try store.lookup(layout, keys: [KeyTuple([.int(0)]), KeyTuple([.int(19_999)])])
        #expect(rows.map { $0?.values.first } == [.int(0), .int(19_999)])
    }

    @Test("a corrupt stored value is an error naming the view, not a crash")
    func corruptValue() throws {
        let dir = TemporaryDirectory()
        let store = try OnlineStore(path: dir.file("online").path)
        try store.write(layouts: [layout]) { batch in try batch.putRaw(layout, key: KeyTuple([.int(1)]), bytes: [1, 2, 3]) }
        #expect(throws: OnlineStoreError.self) { try store.lookup(layout, keys: [KeyTuple([.int(1)])]) }
        // A later good write replaces the corrupt value.
        _ = try store.write(layouts: [layout]) { batch in try batch.upsert(layout, key: KeyTuple([.int(1)]), row: row(1, 1, 1, 7)) }
        #expect(try store.lookup(layout, keys: [KeyTuple([.int(1)])]).first??.values.first == .int(7))
    }

    @Test("out-of-order and shuffled writes end in the same state as sorted ones")
    func shuffledWrites() throws {
        var rng = SeededGenerator(seed: propertyTestSeed("online shuffled writes"))
        var rows: [(KeyTuple, OnlineRow)] = []
        for seq in 1...400 {
            let key = KeyTuple([.int(Int64.random(in: 0..<20, using: &rng))])
            rows.append((key, row(Int64.random(in: 0..<10, using: &rng), Int64.random(in: 0..<3, using: &rng), Int64(seq), Int64(seq))))
        }
        func state(_ ordered: [(KeyTuple, OnlineRow)], batches: Int) throws -> [[UInt8]: OnlineRow] {
            let dir = TemporaryDirectory()
            let store = try OnlineStore(path: dir.file("online").path)
            let size = max(1, ordered.count / batches)
            for start in stride(from: 0, to: ordered.count, by: size) {
                try store.write(layouts: [layout]) { batch in
                    for (key, row) in ordered[start..<min(start + size, ordered.count)] { try batch.upsert(layout, key: key, row: row) }
                }
            }
            return Dictionary(uniqueKeysWithValues: try store.allRows(layout).map { ($0.key, $0.row) })
        }
        let sorted = rows.sorted { ($0.1.eventTs, $0.1.createdTs, $0.1.ingestSeq) < ($1.1.eventTs, $1.1.createdTs, $1.1.ingestSeq) }
        let expected = try state(sorted, batches: 1)
        #expect(try state(rows, batches: 1) == expected)
        #expect(try state(rows.shuffled(using: &rng), batches: 7) == expected)
        #expect(try state(sorted.reversed(), batches: 3) == expected)
    }

    @Test("a reader during a write sees the old state or the new one, never a mix")
    func readerIsolation() async throws {
        let dir = TemporaryDirectory()
        let store = try OnlineStore(path: dir.file("online").path)
        let keys = (0..<200).map { KeyTuple([.int(Int64($0))]) }
        let layout = self.layout
        try store.write(layouts: [layout]) { batch in for key in keys { try batch.upsert(layout, key: key, row: row(0, 0, 0, 0)) } }
        async let reader: Int = {
            var mixed = 0
            for _ in 0..<300 {
                let rows = try store.lookup(layout, keys: keys)
                let generations = Set(rows.compactMap { $0?.values.first })
                if generations.count != 1 { mixed += 1 }
            }
            return mixed
        }()
        for generation in 1...60 {
            try store.write(layouts: [layout]) { batch in
                for key in keys { try batch.upsert(layout, key: key, row: row(Int64(generation), 0, Int64(generation), Int64(generation))) }
            }
        }
        #expect(try await reader == 0)
        #expect(try store.lookup(layout, keys: [keys[0]]).first??.values.first == .int(60))
    }

    @Test("a failed write transaction leaves nothing behind")
    func abortedWrite() throws {
        let dir = TemporaryDirectory()
        let store = try OnlineStore(path: dir.file("online").path)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write(layouts: [layout]) { batch in
                try batch.upsert(layout, key: KeyTuple([.int(1)]), row: row(1, 1, 1, 1))
                throw Boom()
            }
        }
        #expect(try store.allRows(layout).isEmpty)
    }
}
