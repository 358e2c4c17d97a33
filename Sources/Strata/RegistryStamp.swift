import Foundation

/// Tells cheaply whether the registry may have changed: the size, modification time and inode of its database file
/// and its write-ahead log (two `stat` calls: no lock, no SQLite call, nothing serialised between threads). Every
/// commit writes the log, so a new revision changes the stamp and the revision is read again only then. A commit in
/// the same clock tick as an earlier write may keep both size and time, so the revision is also read at least once
/// a second whatever the stamp says.
struct RegistryStamp: Equatable, Sendable {
    private var database: FileStamp
    private var log: FileStamp

    /// The two paths to watch, computed once: `registry.db` and its `-wal`.
    struct Paths: Sendable {
        let database: String
        let log: String

        init(registryPath: String) {
            database = registryPath
            log = registryPath + "-wal"
        }
    }

    init(_ paths: Paths) {
        database = FileStamp(path: paths.database)
        log = FileStamp(path: paths.log)
    }

    private struct FileStamp: Equatable, Sendable {
        var size: Int64 = -1
        var seconds = 0
        var nanoseconds = 0
        var inode: UInt64 = 0

        init(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return }
            size = Int64(info.st_size)
            seconds = Int(info.st_mtim.tv_sec)
            nanoseconds = Int(info.st_mtim.tv_nsec)
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
