import CLMDB
import Foundation

/// The files of an LMDB environment, checked and prepared before `mdb_env_open` so that failures are errors.
enum LMDBFiles {
    /// Creates the environment's folder, or checks that the path is one.
    static func prepareFolder(_ path: String) throws(OnlineStoreError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw OnlineStoreError.cannotOpen(path: path, code: ENOTDIR, message: message(ENOTDIR)) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? Int(errno)
            throw OnlineStoreError.cannotOpen(path: path, code: Int32(code), message: "cannot create the folder: \(message(Int32(code)))")
        }
    }

    /// Allocates a new lock file's blocks before LMDB maps and writes it: on a full disk LMDB would otherwise write
    /// into a sparse mapped page and the process would die of SIGBUS. An existing lock file is left alone (another
    /// process may have it mapped with its own reader count).
    static func preallocateLockFile(_ path: String, readersMax: UInt32) throws(OnlineStoreError) {
        let lockPath = path + "/lock.mdb"
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { let code = errno; throw OnlineStoreError.cannotOpen(path: lockPath, code: code, message: message(code)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size == 0 else { return }
        // 64 bytes per reader slot plus LMDB's header, rounded up: LMDB sizes its reader table from the file when larger.
        let bytes = off_t((Int(readersMax) * 64 + 4096 + 4095) / 4096 * 4096)
        let code = posix_fallocate(fd, 0, bytes)
        guard code == 0 else {
            ftruncate(fd, 0)
            throw OnlineStoreError.cannotOpen(path: lockPath, code: code, message: message(code))
        }
    }

    static func message(_ code: Int32) -> String {
        String(cString: mdb_strerror(code))
    }
}

/// Serialises Strata's writers across processes before they reach LMDB's own writer mutex: an exclusive `flock` on
/// `writer.lock` in the environment's folder, released when the descriptor is closed (or the process dies). A writer
/// waiting for another process waits here, outside the `TransactionGate` (see `LMDBEnvironment`).
struct WriterLock {
    private let descriptor: Int32

    init(folder: String) throws(OnlineStoreError) {
        let path = folder + "/writer.lock"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { let code = errno; throw LMDBEnvironment.error(code, "open the writer lock", path) }
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            guard code == EINTR else {
                close(fd)
                throw LMDBEnvironment.error(code, "take the writer lock", path)
            }
        }
        descriptor = fd
    }

    /// Releases the lock.
    func release() {
        close(descriptor)
    }
}
