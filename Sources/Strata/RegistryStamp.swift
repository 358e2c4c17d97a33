import Foundation

/// Tells cheaply whether the registry may have changed: the size, modification time and inode of its database file
/// and its write-ahead log (two `stat` calls: no lock, no SQLite call, nothing serialised between threads). Every
/// commit writes the log, so a new revision changes the stamp and the revision is read again only then.
///
/// A commit in the same clock tick as an earlier write may keep both the log's size (SQLite reuses the log from its
/// start after a checkpoint) and its time (the kernel stamps files with a coarse clock). So a stamp whose files were
/// written less than `racyNanos` before it was taken proves nothing ("racy", as git calls the same problem with its
/// index): the caller reads the revision instead, until the files are older than that.
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
        isRacy = [database, log].contains { $0.size >= 0 && now - $0.modifiedNanos < Self.racyNanos }
    }

    static func == (a: RegistryStamp, b: RegistryStamp) -> Bool {
        a.database == b.database && a.log == b.log && a.notices == b.notices
    }

    /// Files written this recently may be written again with the same size and time. Two seconds covers the coarsest
    /// file times in use (FAT's); on Linux file systems the kernel's tick (1–10 ms) would do, so the cost, a revision
    /// read per call, is paid only in the two seconds after a commit.
    static let racyNanos: Int64 = 2_000_000_000

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
