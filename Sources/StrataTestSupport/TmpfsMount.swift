import Foundation

/// A small tmpfs mounted for one test, to run out of disk space on purpose. Needs root (mount(2)); `isAvailable`
/// says whether this machine can, so tests that need one are disabled with that reason instead of failing.
public final class TmpfsMount: @unchecked Sendable {
    // Only `path` is stored and it never changes after init, so sharing across tasks is safe.
    public let path: String

    /// Mounts a tmpfs of `sizeKiB` on a fresh folder.
    public init(sizeKiB: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", path]) == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Whether a tmpfs can be mounted here (root, and mount(2) allowed in this container).
    public static let isAvailable: Bool = {
        guard getuid() == 0 else { return false }
        return (try? TmpfsMount(sizeKiB: 64)) != nil
    }()

    /// Bytes still free on the mount.
    public var freeBytes: Int {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return 0 }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Fills the mount until only `bytes` remain free (with a file called `filler`).
    public func fill(leaving bytes: Int) throws {
        let filler = path + "/filler"
        let size = max(0, freeBytes - bytes)
        let fd = open(filler, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        guard size == 0 || posix_fallocate(fd, 0, off_t(size)) == 0 else { throw CocoaError(.fileWriteOutOfSpace) }
    }

    deinit {
        _ = Self.run("/bin/umount", ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
