import Foundation

/// Asks the kernel, from another process, whether a byte of a file is locked: SQLite and LMDB keep POSIX record
/// locks, which a process cannot see its own of (they never conflict with themselves), and which it loses on every
/// descriptor of a file when it closes any one of them. Runs a few lines of Python (standard library only).
public enum RecordLockProbe {
    /// True when another process can take an exclusive lock on byte `offset` of `path`, that is when no process holds
    /// any lock there.
    public static func otherProcessCanLock(_ path: String, offset: Int) throws -> Bool {
        let script = """
        import fcntl, os, sys
        fd = os.open(sys.argv[1], os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, int(sys.argv[2]))
            print("taken")
        except OSError:
            print("held")
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["STRATA_PYTHON"] ?? "/usr/bin/python3")
        process.arguments = ["-c", script, path, String(offset)]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, text.hasPrefix("taken") || text.hasPrefix("held") else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "the lock probe failed: \(text)"])
        }
        return text.hasPrefix("taken")
    }
}
