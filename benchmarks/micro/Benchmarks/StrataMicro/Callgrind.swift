import Foundation
import StrataMicroWorkloads

// Instruction counts from callgrind.
//
// package-benchmark's `.instructions` metric reads the CPU's instruction counter through perf_event_open. On this
// project's machines (and so in CI) the VM exposes no hardware counters — perf_event_open of PERF_COUNT_HW_INSTRUCTIONS
// fails with ENOENT — and the framework then records nothing for `.instructions`, so a threshold on it could never fail.
// Each benchmark's setup therefore runs the same workload once in StrataMicroCount under `valgrind --tool=callgrind`,
// which counts the instructions of the measured loop exactly (the same total on every run of the same binary, whatever
// else the machine is doing), and the benchmark reports instructions per iteration as the custom metric
// `instructions (callgrind)`: shown in the table and checked against the thresholds like any other metric.
//
// valgrind 3.19 gives up on the DWARF 5 that Swift 6.3 writes, so it runs a copy of StrataMicroCount with the debug
// sections stripped (function names stay in the symbol table, which is all `--toggle-collect` needs).
//
// callgrind counts every iteration of a `rep stosb` / `rep movsb` as one instruction, and glibc's memset and memcpy
// use them above 2 KiB: LMDB's calloc of each read transaction (zeroed arrays for `maxdbs` = 1024 databases, ~50 KB)
// then made 84% of a single lookup's count, so a change in Strata's own code hardly moved it. The child runs with
// glibc's vector loops instead (GLIBC_TUNABLES below), whose count follows the work as the CPU's counter would.

enum Callgrind {
    /// Instructions per iteration of `workload`, counted in StrataMicroCount under callgrind.
    static func instructionsPerIteration(_ workload: Workload, fixture: ProjectFixture?) throws -> Int {
        let manager = FileManager.default
        let directory = URL(fileURLWithPath: try manager.destinationOfSymbolicLink(atPath: "/proc/self/exe")).deletingLastPathComponent()
        let counter = directory.appendingPathComponent("StrataMicroCount")
        guard manager.isExecutableFile(atPath: counter.path) else {
            throw WorkloadError("\(counter.path) is missing: build it first with `swift build -c release --product StrataMicroCount` in benchmarks/micro (`make bench-micro` does)")
        }
        let scratch = manager.temporaryDirectory.appendingPathComponent("strata-micro-callgrind-\(String(UInt32(getpid()) | 1 << 31, radix: 16))")
        try manager.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: scratch) }
        let stripped = scratch.appendingPathComponent("StrataMicroCount")
        let output = scratch.appendingPathComponent("callgrind.out")
        let log = scratch.appendingPathComponent("valgrind.log")

        try run("strip", ["--strip-debug", "-o", stripped.path, counter.path], log: log, what: "stripping StrataMicroCount's debug sections (binutils)")
        // Without address randomization: the Swift runtime's metadata caches hash pointers, and their probe counts moved
        // single-lookup counts by up to 2% from run to run; with `setarch -R` repeated runs give the same total.
        var arguments = [
            architecture, "-R", "valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=*callgrindMeasuredLoop*",
            "--dump-instr=no", "--dump-line=no", "--compress-strings=no", "--callgrind-out-file=\(output.path)",
            "--log-file=\(log.path)", stripped.path, workload.name, String(workload.callgrindIterations),
        ]
        if let fixture { arguments.append(fixture.root.path) }
        try run("setarch", arguments, log: log, what: "the callgrind run of \(workload.name) (valgrind, from Debian's package)")

        guard let text = try? String(contentsOf: output, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("summary:") || $0.hasPrefix("totals:") }),
              let total = Int(line.split(separator: " ").last ?? "") else {
            throw WorkloadError("callgrind wrote no instruction total for \(workload.name):\n\(tail(log))")
        }
        guard total > 0 else {
            throw WorkloadError("callgrind counted no instructions in callgrindMeasuredLoop for \(workload.name) (renamed, or inlined?)")
        }
        return Int((Double(total) / Double(workload.callgrindIterations)).rounded())
    }

    #if arch(arm64)
    static let architecture = "aarch64"
    #else
    static let architecture = "x86_64"
    #endif

    /// Runs a program found on PATH; throws with its log when it fails.
    static func run(_ program: String, _ arguments: [String], log: URL, what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        // A fixed environment, not the caller's: Strata reads it (IngestQuality builds ProcessInfo.environment on every
        // profile and ingest, ~10k instructions and two allocations per variable), so counts would follow the shell.
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": log.deletingLastPathComponent().path,
            // Same hash seed on every run: dictionary and set layouts (and so their probe counts) do not vary by run.
            "SWIFT_DETERMINISTIC_HASHING": "1",
            "GLIBC_TUNABLES": "glibc.cpu.x86_rep_stosb_threshold=1000000000:glibc.cpu.x86_rep_movsb_threshold=1000000000",
        ]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw WorkloadError("could not start \(what): \(error)")
        }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WorkloadError("\(what) exited with \(process.terminationStatus):\n\(String(decoding: stderr, as: UTF8.self).suffix(2000))\n\(tail(log))")
        }
    }

    static func tail(_ log: URL) -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))
    }
}
