// LMDB allows one environment per data file per process: its locks on lock.mdb are POSIX record locks, and closing a
// second environment on the same folder would drop the first one's (another process's reader check would then free
// live readers' slots). Stores on one folder share one environment, closed with the last store.
import Foundation
import StrataCore
@testable import StrataOnline
import StrataTestSupport
import Testing

@Suite struct OnlineStoreSharingTests {
    let layout = OnlineViewLayout(databaseName: "fv__v__v1__s1", view: "v", featureNames: ["x"], featureTypes: [.int64], ttlMicros: nil)

    @Test("a second store on the same folder shares the first one's environment, and closing it keeps the first one's LMDB locks")
    func secondStoreSharesTheEnvironment() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("online").path
        let first = try OnlineStore(path: path)
        try first.write(layouts: [layout]) { batch in
            try batch.upsert(layout, key: KeyTuple([.int(1)]), row: OnlineRow(eventTs: 1, createdTs: 1, ingestSeq: 1, lineageID: 1, values: [.int(7)]))
        }
        let lockFile = path + "/lock.mdb"
        // Every open environment holds byte 0 of lock.mdb shared (`mdb_env_excl_lock`).
        #expect(try !RecordLockProbe.otherProcessCanLock(lockFile, offset: 0))
        do {
            let second = try OnlineStore(path: path + "/.")
            #expect(second.environment === first.environment, "two environments on one folder in one process")
            #expect(try second.lookup(layout, keys: [KeyTuple([.int(1)])]).first??.values == [.int(7)])
        }
        #expect(try !RecordLockProbe.otherProcessCanLock(lockFile, offset: 0), "closing the second store dropped the first one's lock on lock.mdb")
        #expect(try first.lookup(layout, keys: [KeyTuple([.int(1)])]).first??.values == [.int(7)])
        withExtendedLifetime(first) {}
    }

    @Test("the last store closes the environment: another process can then lock lock.mdb, and a new store opens afresh")
    func lastStoreCloses() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("online").path
        do {
            let store = try OnlineStore(path: path)
            try store.write(layouts: [layout]) { batch in
                try batch.upsert(layout, key: KeyTuple([.int(2)]), row: OnlineRow(eventTs: 1, createdTs: 1, ingestSeq: 1, lineageID: 1, values: [.int(9)]))
            }
        }
        #expect(try RecordLockProbe.otherProcessCanLock(path + "/lock.mdb", offset: 0), "the environment stayed open after its last store")
        let reopened = try OnlineStore(path: path)
        #expect(try reopened.lookup(layout, keys: [KeyTuple([.int(2)])]).first??.values == [.int(9)])
    }
}
