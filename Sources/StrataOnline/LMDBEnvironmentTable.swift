import Foundation
import Synchronization

/// The open LMDB environments of this process, one per folder, shared by every `OnlineStore` on that folder.
///
/// LMDB's locks on `lock.mdb` are POSIX record locks, which a process loses on every descriptor of a file when it
/// closes any one of them (LMDB "Caveats": do not open an environment twice in one process). Two stores on the same
/// folder, each with its own environment, would break that the moment one closes: its `mdb_env_close` drops the
/// other's reader-liveness lock, another process's `mdb_reader_check` then frees the live reader slots, and a writer
/// reuses pages the readers still read. So a second store gets the first one's environment, and the environment is
/// closed, under the table's lock, when its last store goes away (a store opening meanwhile waits, and then opens
/// it afresh: never beside a closing one).
enum LMDBEnvironmentTable {
    /// A folder by device and inode: the same folder however its path is spelt.
    private struct FolderID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private struct Entry {
        let environment: LMDBEnvironment
        var users: Int
    }

    private static let entries = Mutex<[FolderID: Entry]>([:])

    /// The environment at `path`: the one this process already has open there, else a new one with these settings
    /// (a shared environment keeps the map settings it was opened with). Pair with `release`.
    static func acquire(path: String, mapSizeBytes: Int, mapSizeMaxBytes: Int, readersMax: UInt32) throws(OnlineStoreError) -> LMDBEnvironment {
        try LMDBFiles.prepareFolder(path)
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            throw OnlineStoreError.cannotOpen(path: path, code: code, message: LMDBFiles.message(code))
        }
        let id = FolderID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        return try entries.withLock { table throws(OnlineStoreError) -> LMDBEnvironment in
            if var entry = table[id] {
                entry.users += 1
                table[id] = entry
                return entry.environment
            }
            let environment = try LMDBEnvironment(path: path, mapSizeBytes: mapSizeBytes, mapSizeMaxBytes: mapSizeMaxBytes, readersMax: readersMax)
            table[id] = Entry(environment: environment, users: 1)
            return environment
        }
    }

    /// One store less on `environment`; the last one closes it.
    static func release(_ environment: LMDBEnvironment) {
        entries.withLock { table in
            guard let (id, entry) = table.first(where: { $0.value.environment === environment }) else { return }
            if entry.users > 1 {
                table[id] = Entry(environment: environment, users: entry.users - 1)
            } else {
                table[id] = nil
                environment.close()
            }
        }
    }
}
