public import Foundation

/// Runs the built `strata` binary and captures everything it prints.
public struct CLIResult: Sendable {
    public var stdout: String
    public var stderr: String
    /// The exit code, or the signal number when `wasKilledBySignal`.
    public var exitCode: Int32
    /// True when the process died of a signal (a crash, or SIGKILL).
    public var wasKilledBySignal = false
}

public enum CLIRunner {
    /// The `strata` executable next to the test bundle (SwiftPM puts both in the same products folder).
    public static var executable: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("strata")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/strata")
    }

    /// Runs `strata` with `arguments` in `directory` and waits for it.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        let process = try start(arguments, in: directory, environment: environment)
        return process.wait()
    }

    /// Runs `strata` as another user (`nobody`) when the tests run as root, so file permissions apply; as anyone else,
    /// runs it directly (permissions already apply). Uses `setpriv` from util-linux.
    public static func runAsOtherUser(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        guard getuid() == 0 else { return try run(arguments, in: directory, environment: environment) }
        return try start(["--reuid=65534", "--regid=65534", "--clear-groups", executable.path] + arguments, in: directory, environment: environment,
                         tool: URL(fileURLWithPath: "/usr/bin/setpriv")).wait()
    }

    /// Runs `strata` and returns its exit status and peak resident memory (KiB, from `wait4`'s rusage).
    /// Output goes to /dev/null.
    public static func runMeasuringPeakMemory(_ arguments: [String], in directory: String) -> (exitStatus: Int32, peakKiB: Int) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable.path] + arguments + ["--project", directory]).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable.path, &actions, nil, argv, environ) == 0 else { return (-1, 0) }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { return (-1, 0) }
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f), usage.ru_maxrss)
    }

    /// Starts `strata` without waiting, for tests that race two processes.
    public static func start(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                             tool: URL = executable) throws -> RunningCLI {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return RunningCLI(process: process, out: out, err: err)
    }
}

/// A started `strata` process. Its standard output and error are drained from the start, each by a thread of its own,
/// so a process that writes more than a pipe holds (64 KiB) to either never blocks waiting for the test to read.
public final class RunningCLI: @unchecked Sendable {
    // `process` is only read after start; the drains guard their own state.
    let process: Process
    private let out: PipeDrain
    private let err: PipeDrain

    init(process: Process, out: Pipe, err: Pipe) {
        self.process = process
        self.out = PipeDrain(out.fileHandleForReading)
        self.err = PipeDrain(err.fileHandleForReading)
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Reads one line of standard output (without the newline), e.g. the line where `serve` prints its port; nil at the end.
    public func readLine() -> String? { out.readLine() }

    /// Waits for both streams to end and the process to exit; `stdout` holds what `readLine` did not return.
    public func wait() -> CLIResult {
        let stdout = out.remainder(), stderr = err.remainder()
        process.waitUntilExit()
        return CLIResult(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                         exitCode: process.terminationStatus, wasKilledBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// Reads a pipe to its end on a thread of its own, keeping what it read for `readLine` and `remainder`.
final class PipeDrain: @unchecked Sendable {
    // `bytes`, `consumed` and `isFinished` are touched only while `condition` is locked.
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var consumed = 0
    private var isFinished = false

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let data = handle.availableData
                condition.lock()
                if data.isEmpty { isFinished = true } else { bytes += data }
                condition.broadcast()
                condition.unlock()
                if data.isEmpty { return }
            }
        }.start()
    }

    /// The next line, waiting for it; the last unterminated text at the end; nil when nothing is left.
    func readLine() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = bytes[consumed...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { consumed = newline + 1 }
                return String(decoding: bytes[consumed..<newline], as: UTF8.self)
            }
            if isFinished {
                guard consumed < bytes.count else { return nil }
                defer { consumed = bytes.count }
                return String(decoding: bytes[consumed...], as: UTF8.self)
            }
            condition.wait()
        }
    }

    /// Everything not yet returned by `readLine`, once the pipe has ended.
    func remainder() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while !isFinished { condition.wait() }
        return Array(bytes[consumed...])
    }
}
