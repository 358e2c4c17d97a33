import Foundation

/// A test hook for fault tests with real processes: the process creates `marker` and waits until the test removes it,
/// so the test can act (change a source file, hold a lock) at a known point of a run. Set by the CLI from
/// `STRATA_FAULT_PAUSE_FILE`; never part of the public API.
package enum FaultPause {
    /// Creates `marker`, then waits (at most a minute) until it is gone.
    package static func wait(at marker: String?) {
        guard let marker else { return }
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
        for _ in 0..<6000 where FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
    }
}
