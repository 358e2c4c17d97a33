import Foundation

/// Tells cheaply whether the registry may have changed: the size, modification time and inode of its database file
/// and its write-ahead log (two `stat` calls: no lock, no SQLite call, nothing serialised between threads), and the
/// change counter in the header of its WAL index. Every commit writes the log, so a new revision changes the stamp and
/// the revision is read again only then. A commit in the same clock tick as an earlier write may keep both the log's
/// size (SQLite reuses the log from its start after a checkpoint) and its time (the kernel stamps files with a coarse
/// clock), which is why the WAL index's header is read too: SQLite's `iChange` counter there grows with every
/// transaction ("wal.c": `WalIndexHdr`). The revision is also read at least once a second whatever the stamp says.
struct RegistryStamp: Equatable, Sendable {
    private var database: FileStamp
    private var log: FileStamp
    private var indexHeader: [UInt8]
    /// Changes a registry watcher announced (a shared PostgreSQL registry has no files to watch).
    private var notices: Int64 = 0

    /// The two paths to watch, computed once: `registry.db` and its `-wal`.
    struct Paths: Sendable {
        let database: String
        let log: String

        let index: String

        init(registryPath: String) {
            database = registryPath
            log = registryPath + "-wal"
            index = registryPath + "-shm"
        }
    }

    init(_ paths: Paths, notices: Int64 = 0) {
        self.notices = notices
        database = FileStamp(path: paths.database)
        log = FileStamp(path: paths.log)
        indexHeader = Self.header(paths.index)
    }

    /// The first 48 bytes of the WAL index (its header: version, `iChange`, page size, frame count, salts, checksums);
    /// empty when there is none.
    private static func header(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 48)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 48, 0) }
        return count == 48 ? bytes : []
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
