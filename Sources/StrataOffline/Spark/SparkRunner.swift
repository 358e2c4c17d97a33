public import Foundation
public import StrataCore

/// A literal as the driver reads it: `["i", "123"]`, `["f", "<IEEE 754 bits>"]`, `["s", "text"]`, `["b", true]` or
/// null. Integers and floats travel as text so that no JSON reader rounds them; floats as their exact bits.
struct SparkLiteral: Codable, Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        switch value {
        case .null: var single = encoder.singleValueContainer(); try single.encodeNil()
        case .int(let v): try container.encode("i"); try container.encode(String(v))
        case .float(let v): try container.encode("f"); try container.encode(String(v.bitPattern))
        case .string(let v): try container.encode("s"); try container.encode(v)
        case .bool(let v): try container.encode("b"); try container.encode(v)
        }
    }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), single.decodeNil() { value = .null; return }
        var container = try decoder.unkeyedContainer()
        let kind = try container.decode(String.self)
        switch kind {
        case "i": value = try Int64(container.decode(String.self)).map(Value.int) ?? .null
        case "f": value = try UInt64(container.decode(String.self)).map { .float(Double(bitPattern: $0)) } ?? .null
        case "s": value = .string(try container.decode(String.self))
        case "b": value = .bool(try container.decode(Bool.self))
        default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown literal kind \(kind)")
        }
    }
}

/// One named parameter of a query: `["p0", ["i", "2"]]`.
struct SparkArgument: Encodable, Sendable {
    var name: String
    var value: SparkLiteral

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(name)
        try container.encode(value)
    }
}

/// Runs Strata's Spark driver (`SparkDriverScript`) with the project's Python, one process and one Spark session per
/// job. The binary compiles everything (SQL text with named parameters, paths); the driver only executes it.
public struct SparkRunner: Sendable {
    public let settings: SparkSettings
    /// The warehouse's local folder.
    public let warehouse: Warehouse

    /// Resolves the settings against the project root (a relative warehouse is inside the project).
    /// - Throws: `SparkError.warehouseNotLocal` for a URI other than `file:`.
    public init(settings: SparkSettings, projectRoot: URL) throws {
        self.settings = settings
        var path = settings.warehouse
        if path.hasPrefix("file://") { path = String(path.dropFirst("file://".count)) }
        if path.contains("://") { throw SparkError.warehouseNotLocal(uri: settings.warehouse) }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true) : projectRoot.appendingPathComponent(path, isDirectory: true)
        warehouse = Warehouse(root: url.standardizedFileURL)
    }

    /// The Python that runs the driver.
    public var python: String { settings.python ?? "python3" }

    /// A fresh folder for one job's files (spines, answers), inside the warehouse so that a cluster's executors can
    /// reach it on the same shared storage; removed by `finish`.
    func jobFolder() throws -> URL {
        let folder = warehouse.root.appendingPathComponent("_strata_jobs", isDirectory: true).appendingPathComponent(UUID().uuidString, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: error.localizedDescription)
        }
        return folder
    }

    /// Writes the job and the driver into `folder` and runs it, relaying the driver's progress lines.
    /// - Throws: `SparkError.pythonMissing`, `.pysparkMissing`, `.jobFailed` with the driver's last words and log.
    func run<Job: Encodable>(_ job: Job, command: String, in folder: URL, progress: ((String) -> Void)?) throws {
        let jobURL = folder.appendingPathComponent("job.json"), scriptURL = folder.appendingPathComponent("strata_spark_driver.py")
        let logURL = folder.appendingPathComponent("driver.log")
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(job).write(to: jobURL)
            try Data(SparkDriverScript.text.utf8).write(to: scriptURL)
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        } catch {
            throw SparkError.warehouseUnwritable(path: folder.path, reason: error.localizedDescription)
        }
        let process = Process()
        if python.contains("/") {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [scriptURL.path, jobURL.path]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, scriptURL.path, jobURL.path]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PYSPARK_PYTHON"] = python
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONWARNINGS"] = "ignore"
        process.environment = environment
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        guard let log = FileHandle(forWritingAtPath: logURL.path) else {
            throw SparkError.warehouseUnwritable(path: logURL.path, reason: "cannot open the driver's log")
        }
        defer { try? log.close() }
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw SparkError.pythonMissing(python: python, reason: error.localizedDescription)
        }
        var lastError: String?
        var pending = Data()
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("strata-progress ") { progress?(String(line.dropFirst("strata-progress ".count))) }
                if line.hasPrefix("strata-error ") { lastError = String(line.dropFirst("strata-error ".count)) }
            }
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let logText = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if logText.contains("No module named 'pyspark'") || logText.contains("No module named 'pyarrow'") {
                throw SparkError.pysparkMissing(python: python)
            }
            if process.terminationStatus == 127 || logText.contains("No such file or directory") && lastError == nil {
                throw SparkError.pythonMissing(python: python, reason: logText.split(separator: "\n").last.map(String.init) ?? "exit status 127")
            }
            let keptLog = warehouse.root.appendingPathComponent("_strata_jobs", isDirectory: true).appendingPathComponent("last-failure.log")
            try? FileManager.default.removeItem(at: keptLog)
            try? FileManager.default.copyItem(at: logURL, to: keptLog)
            throw SparkError.jobFailed(command: command, master: settings.master,
                                       message: lastError ?? "the driver exited with status \(process.terminationStatus)", log: keptLog.path)
        }
    }

    /// Removes a job's folder (its spines and answers are read by then).
    func finish(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }
}
