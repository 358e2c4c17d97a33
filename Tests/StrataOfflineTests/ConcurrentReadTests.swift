// The offline store reads beside its writer (issue 22, item 10): WAL readers of a `DatabasePool` answer while a write
// transaction is open in another thread, and an up-to-date store still opens without writing to its file.
import Foundation
import GRDB
@testable import StrataOffline
import StrataTestSupport
import Synchronization
import Testing

@Suite struct ConcurrentReadTests {
    @Test("a read answers, with the last committed state, while another thread holds a write transaction open")
    func readsDoNotWaitForTheWriter() throws {
        let dir = TemporaryDirectory()
        let store = try OfflineStore(path: dir.file("offline.db").path)
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let written = Mutex<(any Error)?>(nil)
        Thread {
            do {
                try store.write("hold the writer") { db in
                    try db.execute(sql: """
                        INSERT INTO ingest_runs VALUES (1, 's', 1, 0, 0, 1, 0, 1, 'ok', '{}');
                        INSERT INTO quarantine (run_id, source, file, line, raw, reason) VALUES (1, 's', 'f', 1, 'r', 'uncommitted')
                        """)
                    inside.signal()
                    release.wait()
                }
            } catch {
                written.withLock { $0 = error }
                inside.signal()
            }
            finished.signal()
        }.start()
        inside.wait()
        let answered = DispatchSemaphore(value: 0)
        let seen = Mutex<Int?>(nil)
        Thread {
            seen.withLock { $0 = try? store.quarantinedRows().count }
            answered.signal()
        }.start()
        let readWhileWriting = answered.wait(timeout: .now() + .seconds(10)) == .success
        release.signal()
        finished.wait()
        if !readWhileWriting { answered.wait() }
        #expect(readWhileWriting, "the read waited for the write transaction")
        #expect(seen.withLock { $0 } == 0, "the read did not see the last committed state")
        #expect(written.withLock { $0 } == nil)
        #expect(try store.quarantinedRows().count == 1)
    }

    @Test("opening an up-to-date store writes nothing to its file")
    func openWithoutWriting() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("offline.db").path
        _ = try OfflineStore(path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let walBefore = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))
        let store = try OfflineStore(path: path)
        _ = try store.quarantinedRows()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let walAfter = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))
        #expect((walAfter ?? Data()).count <= (walBefore ?? Data()).count, "opening wrote \((walAfter?.count ?? 0) - (walBefore?.count ?? 0)) bytes of WAL")
    }
}

@Suite struct OpeningRaceTests {
    @Test("opening retries only when another process is opening or migrating the same file")
    func retriesOnlyRaces() {
        #expect(isOpeningRace(DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked")))
        #expect(isOpeningRace(DatabaseError(resultCode: .SQLITE_LOCKED, message: "database table is locked")))
        #expect(isOpeningRace(DatabaseError(resultCode: .SQLITE_ERROR, message: "table ingest_runs already exists")))
        #expect(!isOpeningRace(DatabaseError(resultCode: .SQLITE_NOTADB, message: "file is not a database")))
        #expect(!isOpeningRace(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")))
        #expect(!isOpeningRace(DatabaseError(resultCode: .SQLITE_ERROR, message: "no such table: quarantine")))
    }
}
