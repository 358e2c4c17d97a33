import Foundation

/// A file written through a private temporary beside its target and renamed over it on `commit`, so readers see the
/// old file or the whole new one, never a part. The temporary has a unique name (`mkstemp`), so concurrent writers of
/// the same target never share it (STYLE §11).
final class AtomicFile {
    let target: URL
    private let temporaryPath: String
    private let descriptor: Int32
    private var isOpen = true

    init(replacing target: URL) throws {
        self.target = target
        let directory = target.deletingLastPathComponent().path
        var template = Array("\(directory)/.\(target.lastPathComponent).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw Self.error("create a temporary file beside", target) }
        descriptor = fd
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates 0600; a training set is an ordinary output file.
        fchmod(fd, 0o644)
    }

    deinit { discard() }

    /// Appends bytes, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.error("write", target)
            }
            offset += written
        }
    }

    /// Closes the temporary and renames it over the target.
    func commit() throws {
        isOpen = false
        guard close(descriptor) == 0 else {
            unlink(temporaryPath)
            throw Self.error("close", target)
        }
        guard rename(temporaryPath, target.path) == 0 else {
            let error = Self.error("rename the temporary file to", target)
            unlink(temporaryPath)
            throw error
        }
    }

    /// Removes the temporary (after a failure); harmless after `commit`.
    func discard() {
        guard isOpen else { return }
        isOpen = false
        close(descriptor)
        unlink(temporaryPath)
    }

    private static func error(_ operation: String, _ url: URL) -> OfflineStoreError {
        .failed(operation: "\(operation) \(url.path)", path: url.path, cause: SystemError.current)
    }
}
