public import Foundation

/// Runs the built `strata` binary and captures everything it prints.
public struct CLIResult: Sendable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32
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

    /// Starts `strata` without waiting, for tests that race two processes.
    public static func start(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> RunningCLI {
        let process = Process()
        process.executableURL = executable
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

    public func wait() -> CLIResult {
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                         exitCode: process.terminationStatus)
    }
}
