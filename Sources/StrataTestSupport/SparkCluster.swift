public import Foundation

/// The Python with pyspark the Spark tests use: `STRATA_PYTHON` (set by `make test` to the project's .venv), else the
/// package's `.venv/bin/python`.
public func sparkTestPython(packageRoot: URL) -> String {
    if let python = ProcessInfo.processInfo.environment["STRATA_PYTHON"], !python.isEmpty { return python }
    return packageRoot.appendingPathComponent(".venv/bin/python").path
}

/// Why the Spark tests cannot run here, or nil when `python` has pyspark and Java is present.
public func sparkUnavailable(python: String) -> String? {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/bin/sh")
    probe.arguments = ["-c", "\"$0\" -c 'import pyspark, pyarrow' && java -version", python]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    do { try probe.run() } catch { return "cannot run \(python): \(error)" }
    probe.waitUntilExit()
    return probe.terminationStatus == 0 ? nil : "\(python) has no pyspark/pyarrow, or java is missing: run `make venv` (make deps installs Java 17)"
}

/// A real Spark standalone cluster on loopback: one master and one worker started from the pyspark package's
/// `bin/spark-class`, stopped by `stop()`. Its URL is `spark://127.0.0.1:PORT`.
public final class SparkStandaloneCluster: @unchecked Sendable {
    public let masterURL: String
    private let master: Process
    private let worker: Process
    private let logFolder: URL

    /// Starts the cluster and waits until the worker has registered with the master.
    public init(python: String, logFolder: URL, timeoutSeconds: Double = 120) throws {
        self.logFolder = logFolder
        let home = try Self.sparkHome(python: python)
        let port = try PostgresServer.freePort()
        masterURL = "spark://127.0.0.1:\(port)"
        let sparkClass = home + "/bin/spark-class"
        let masterLog = logFolder.appendingPathComponent("master.log"), workerLog = logFolder.appendingPathComponent("worker.log")
        master = try Self.launch(sparkClass, ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "\(port)", "--webui-port", "0"],
                                 home: home, python: python, log: masterLog)
        worker = try Self.launch(sparkClass, ["org.apache.spark.deploy.worker.Worker", masterURL, "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
                                              "--webui-port", "0", "--work-dir", logFolder.appendingPathComponent("work").path],
                                 home: home, python: python, log: workerLog)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            let text = (try? String(contentsOf: workerLog, encoding: .utf8)) ?? ""
            if text.contains("Successfully registered with master") { return }
            if !worker.isRunning || !master.isRunning { break }
            Thread.sleep(forTimeInterval: 0.25)
        }
        stop()
        let tail = ((try? String(contentsOf: workerLog, encoding: .utf8)) ?? "").split(separator: "\n").suffix(5).joined(separator: "\n")
        throw TestSupportError("the Spark standalone worker did not register with \(masterURL) within \(Int(timeoutSeconds)) s:\n\(tail)")
    }

    /// Stops the worker, then the master (SIGTERM, then SIGKILL after 10 s).
    public func stop() {
        for process in [worker, master] where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    deinit { stop() }

    static func sparkHome(python: String) throws -> String {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw TestSupportError("\(python) has no pyspark") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func launch(_ executable: String, _ arguments: [String], home: String, python: String, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SPARK_HOME"] = home
        environment["PYSPARK_PYTHON"] = python
        environment["SPARK_LOCAL_IP"] = "127.0.0.1"
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}

/// A test-support failure with its reason.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
