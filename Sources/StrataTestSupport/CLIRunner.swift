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

/// A started `strata` process.
public final class RunningCLI: @unchecked Sendable {
    // Used from one test task at a time; Process and Pipe are only touched in `wait`.
    let process: Process
    let out: Pipe
    let err: Pipe

    init(process: Process, out: Pipe, err: Pipe) {
        self.process = process
        self.out = out
        self.err = err
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Reads one line of standard output (without the newline), e.g. the line where `serve` prints its port.
    public func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let data = out.fileHandleForReading.readData(ofLength: 1)
            guard let byte = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    public func wait() -> CLIResult {
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                         exitCode: process.terminationStatus, wasKilledBySignal: process.terminationReason == .uncaughtSignal)
    }
}
