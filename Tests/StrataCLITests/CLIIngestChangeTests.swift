// Source files that change while `strata ingest` reads them, with real processes: the run is refused and writes
// nothing (shrunk, grown, or rewritten in place with the same size and time), a file rewritten over and over never
// crashes the process, and a large file is read with flat memory.
import Foundation
import GRDB
import StrataCore
import StrataTestSupport
import Synchronization
import Testing

@Suite struct CLIIngestChangeTests {
    enum Change: String, CaseIterable, Sendable {
        case shrink, grow, sameSizeAndTime
    }

    func project(rows: Int) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try dir.write("featuresets/f.yaml", CLIOfflineTests.definitions)
        let lines = (0..<rows).map { "\($0 % 100),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\($0 % 10 + 10)" }
        try dir.write("trips.csv", "driver_id,event_timestamp,created,trips\n" + lines.joined(separator: "\n") + "\n")
        #expect(try CLIRunner.run(["apply"], in: dir.path).exitCode == 0)
        return dir
    }

    func counts(_ dir: TemporaryDirectory) throws -> [Int] {
        try DatabaseQueue(path: dir.file(".strata/offline.db").path).read { db in
            try ["ingest_runs", "source_files", "quarantine"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        }
    }

    @Test("a source file that changes between being hashed and being read is refused, and nothing is written", arguments: Change.allCases)
    func changedDuringIngest(change: Change) throws {
        let dir = try project(rows: 2000)
        let before = try counts(dir)
        let marker = dir.file("paused").path
        let run = try CLIRunner.start(["ingest"], in: dir.path, environment: ["STRATA_FAULT_PAUSE_FILE": marker])
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: marker), "the ingest never paused after hashing")
        let path = dir.file("trips.csv").path
        var info = stat()
        stat(path, &info)
        let handle = try FileHandle(forUpdating: dir.file("trips.csv"))
        switch change {
        case .shrink: try handle.truncate(atOffset: UInt64(info.st_size / 2))
        case .grow: try handle.seekToEnd(); try handle.write(contentsOf: Data("5,2026-03-01T11:00:00Z,2026-03-01T11:00:00Z,99\n".utf8))
        case .sameSizeAndTime: try handle.seek(toOffset: UInt64(info.st_size - 3)); try handle.write(contentsOf: Data("8".utf8))
        }
        try handle.close()
        if change == .sameSizeAndTime {
            // Put back the exact modification time: only the content hash can tell.
            var times = [info.st_atim, info.st_mtim]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        try FileManager.default.removeItem(atPath: marker)
        let result = run.wait()
        #expect(!result.wasKilledBySignal, "\(result.stderr)")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("trips.csv changed while it was being read"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was written"))
        #expect(try counts(dir) == before)
    }

    @Test("a source file rewritten over and over while ingests run never crashes one; each stored version is a whole one")
    func rewrittenDuringIngests() throws {
        let dir = try project(rows: 1)
        let versions = [40_000, 10_000].map { rows in
            "driver_id,event_timestamp,created,trips\n" + (0..<rows).map { "\($0 % 100),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\(rows)" }.joined(separator: "\n") + "\n"
        }
        let hashes = Set(versions.map { SHA256.hex(Array($0.utf8)) })
        // Eight ingests: the even ones race a writer that rewrites the file in place (same inode, as an editor or an
        // appending job would: truncate, then write); the odd ones run on a quiet file, whole, and must succeed.
        var outcomes: [(isRacing: Bool, result: CLIResult)] = []
        for run in 0..<8 {
            let isRacing = run % 2 == 0
            let stop = Flag(), stopped = DispatchSemaphore(value: 0)
            if isRacing {
                Thread {
                    var index = run
                    while !stop.isSet {
                        if let handle = FileHandle(forWritingAtPath: dir.file("trips.csv").path) {
                            try? handle.truncate(atOffset: 0)
                            try? handle.write(contentsOf: Data(versions[index % 2].utf8))
                            try? handle.close()
                        }
                        index += 1
                    }
                    stopped.signal()
                }.start()
            } else {
                try dir.write("trips.csv", versions[run / 2 % 2])
            }
            let result = try CLIRunner.run(["ingest"], in: dir.path)
            if isRacing {
                stop.set()
                stopped.wait()
            }
            outcomes.append((isRacing, result))
        }
        for (run, outcome) in outcomes.enumerated() {
            #expect(!outcome.result.wasKilledBySignal, "run \(run): \(outcome.result.stderr)")
            if outcome.isRacing {
                // A racing run either stored a whole version or refused cleanly with a Strata error (the file changed
                // while it was read, or was caught just truncated).
                #expect(outcome.result.exitCode == 0 || (outcome.result.exitCode == 1 && outcome.result.stderr.hasPrefix("error: ")), "run \(run): \(outcome.result.stderr)")
            } else {
                #expect(outcome.result.exitCode == 0, "run \(run) on a quiet file failed: \(outcome.result.stderr)")
            }
        }
        let stored = try DatabaseQueue(path: dir.file(".strata/offline.db").path).read { db in
            try String.fetchAll(db, sql: "SELECT content_sha256 FROM source_files")
        }
        #expect(!stored.isEmpty && Set(stored).isSubset(of: hashes), "stored versions \(stored) are not whole versions written")
    }

    @Test("ingesting a 40 MB file keeps memory flat: its peak is within 24 MiB of a tiny file's")
    func memoryStaysFlat() throws {
        let small = try project(rows: 10)
        let large = try project(rows: 0)
        let note = String(repeating: "n", count: 10_000)
        var text = "driver_id,event_timestamp,created,trips,note\n"
        for i in 0..<4000 { text += "\(i),2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\(i),\(note)\n" }
        try large.write("trips.csv", text)
        let tiny = CLIRunner.runMeasuringPeakMemory(["ingest"], in: small.path)
        let big = CLIRunner.runMeasuringPeakMemory(["ingest"], in: large.path)
        #expect(tiny.exitStatus == 0 && big.exitStatus == 0)
        #expect(big.peakKiB - tiny.peakKiB < 24 * 1024, "peak RSS: tiny file \(tiny.peakKiB) KiB, 40 MB file \(big.peakKiB) KiB")
    }
}

/// A flag shared between threads.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

@Suite struct CLIRunnerTests {
    @Test("a process writing 256 KiB to stderr and then stdout is read to the end without a deadlock")
    func drainsBothStreams() throws {
        let process = try CLIRunner.start(["-c", "head -c 262144 /dev/zero | tr '\\0' e >&2; head -c 100000 /dev/zero | tr '\\0' o; echo; echo last"],
                                          tool: URL(fileURLWithPath: "/bin/sh"))
        let finished = DispatchSemaphore(value: 0)
        let result = Mutex<CLIResult?>(nil)
        Thread {
            result.withLock { $0 = process.wait() }
            finished.signal()
        }.start()
        let isDone = finished.wait(timeout: .now() + .seconds(60)) == .success
        if !isDone { kill(process.processIdentifier, SIGKILL) }
        #expect(isDone, "the runner deadlocked on a full pipe")
        let output = try #require(result.withLock { $0 })
        #expect(output.stderr.utf8.count == 262_144 && output.stdout.hasSuffix("\nlast\n") && output.exitCode == 0)
    }
}
