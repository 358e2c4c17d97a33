// SQLite's locks are POSIX record locks, which a process loses on *every* descriptor of a file the moment it closes
// any one of them. The registry's change stamp used to open and close `registry.db-shm` on each snapshot: the store's
// connection silently lost its hold on the WAL index, another process then took the index for unused and truncated it
// under the server's map (the soak test's server died of SIGBUS, and an apply read revision 10 after planning on 13).
// Here a second process asks the kernel whether the store still holds the index's dead-man lock.
import Foundation
@testable import Strata
import StrataTestSupport
import Testing

@Suite struct SQLiteLockTests {
    /// SQLite's dead-man-switch byte of a WAL index (`UNIX_SHM_DMS`): every open connection holds it shared.
    static let deadManByte = 128

    @Test("reading snapshots never drops the registry connection's lock on its WAL index")
    func snapshotsKeepTheIndexLock() throws {
        let dir = TemporaryDirectory()
        for file in ExampleProject.files() { try dir.write(file.path, file.text) }
        let store = try FeatureStore(projectPath: dir.path)
        try store.apply(try store.plan(), author: "ana", message: "first")
        let index = dir.file(".strata/registry.db-shm").path
        _ = try store.registryRevisions()
        #expect(FileManager.default.fileExists(atPath: index))
        #expect(try !RecordLockProbe.otherProcessCanLock(index, offset: Self.deadManByte), "after apply, another process could take the WAL index's lock: the store's connection lost it")
        for _ in 0..<3 { _ = try store.snapshot() }
        #expect(try !RecordLockProbe.otherProcessCanLock(index, offset: Self.deadManByte), "a snapshot dropped the registry connection's lock on registry.db-shm")
        withExtendedLifetime(store) {}
    }

    @Test("a stamp of files written within the clock's granularity is racy and never trusted; an older one is")
    func racyStamps() throws {
        let dir = TemporaryDirectory()
        try dir.write("registry.db", "x")
        try dir.write("registry.db-wal", "y")
        let paths = RegistryStamp.Paths(registryPath: dir.file("registry.db").path)
        #expect(RegistryStamp(paths).isRacy)
        func setTimes(_ date: Date) throws {
            for name in ["registry.db", "registry.db-wal"] {
                try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: dir.file(name).path)
            }
        }
        // Times with nanoseconds: the kernel's tick is the granularity; a tenth of a second ago is settled.
        try setTimes(Date().addingTimeInterval(-0.1000001))
        let settled = RegistryStamp(paths)
        #expect(!settled.isRacy)
        try dir.write("registry.db-wal", "z")
        let rewritten = RegistryStamp(paths)
        #expect(rewritten.isRacy)
        #expect(rewritten != settled, "same size, new time: a different stamp")
        // Whole seconds only (a file system that keeps no nanoseconds): racy for two seconds.
        let wholeSecond = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 1).rounded(.down))
        try setTimes(wholeSecond)
        #expect(RegistryStamp(paths).isRacy)
        try setTimes(wholeSecond.addingTimeInterval(-2))
        #expect(!RegistryStamp(paths).isRacy)
    }
}
