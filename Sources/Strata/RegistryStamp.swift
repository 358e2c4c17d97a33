import Foundation

/// Tells cheaply whether the registry may have changed: the size, modification time and inode of its database file
/// and its write-ahead log (two `stat` calls: no lock, no SQLite call, nothing serialised between threads). Every
/// commit writes the log, so a new revision changes the stamp and the revision is read again only then.
///
/// A commit in the same clock tick as an earlier write may keep both the log's size (SQLite reuses the log from its
/// start after a checkpoint) and its time (the kernel stamps files with a coarse clock). So a stamp whose files were
/// written within the clock's granularity before it was taken proves nothing ("racy", as git calls the same problem
/// with its index): the caller reads the revision instead, until the files are older than that (`racyNanos`).
///
/// The stamp must never open a file SQLite has open. Closing any descriptor of a file drops every POSIX lock the
/// process holds on it ("How To Corrupt An SQLite Database File", 2.2): an earlier stamp that read the WAL index's
/// header dropped the server's locks on `registry.db-shm` on every request. Another process then took the index for
/// unused, and truncated it under the server's map: SIGBUS, and revisions read back out of order.
struct RegistryStamp: Equatable, Sendable {
    private var database: FileStamp
    private var log: FileStamp
    /// Changes a registry watcher announced (a shared PostgreSQL registry has no files to watch).
    private var notices: Int64 = 0

    /// The two paths to watch, computed once: `registry.db` and its `-wal`.
    struct Paths: Sendable {
        let database: String
        let log: String

        init(registryPath: String) {
            database = registryPath
            log = registryPath + "-wal"
        }
    }

    /// True when the files were written too recently for this stamp to prove that nothing changed since.
    let isRacy: Bool

    init(_ paths: Paths, notices: Int64 = 0) {
        self.notices = notices
        // The clock is read before the files: an earlier reading only widens the racy window.
        let now = Self.wallClockNanos()
        database = FileStamp(path: paths.database)
        log = FileStamp(path: paths.log)
        isRacy = [database, log].contains { $0.size >= 0 && now - $0.modifiedNanos < Self.racyNanos(modifiedNanos: $0.modifiedNanos) }
    }

    static func == (a: RegistryStamp, b: RegistryStamp) -> Bool {
        a.database == b.database && a.log == b.log && a.notices == b.notices
    }

    /// How long after a write a file's time may still be given to the next write. Linux stamps files with its coarse
    /// clock, which moves every tick (1–10 ms), so 50 ms leaves a wide margin; a file system that keeps whole seconds
    /// only (its times have no nanoseconds) gets two, which also covers FAT's two-second times. A racy stamp costs
    /// a revision read per call (`wrk`, one entity at c=16: 21k requests/s quiet, 9–12k with the registry always
    /// racy), so the window is kept as short as the clocks allow.
    static func racyNanos(modifiedNanos: Int64) -> Int64 {
        modifiedNanos % 1_000_000_000 == 0 ? 2_000_000_000 : 50_000_000
    }

    /// The wall clock the kernel stamps files with, in nanoseconds since the epoch.
    static func wallClockNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private struct FileStamp: Equatable, Sendable {
        var size: Int64 = -1
        var modifiedNanos: Int64 = 0
        var inode: UInt64 = 0

        init(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return }
            size = Int64(info.st_size)
            modifiedNanos = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            inode = UInt64(info.st_ino)
        }
    }
}

/// The applied snapshot in use, with the registry stamp taken just before its revision was read.
struct SnapshotCache: Sendable {
    var snapshot: AppliedSnapshot
    var stamp: RegistryStamp
    var checkedAtNanos: UInt64

    /// The revision is read again after this long even when the stamp did not change.
    static let recheckNanos: UInt64 = 1_000_000_000
}
