public import Foundation
public import StrataCore

/// A literal as the driver reads it: `["i", "123"]`, `["f", "<IEEE 754 bits>"]`, `["s", "text"]`, `["b", true]` or
/// null. Integers and floats travel as text so that no JSON reader rounds them; floats as their exact bits.
struct SparkLiteral: Codable, Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        if value.isNull {
            var single = encoder.singleValueContainer()
            return try single.encodeNil()
        }
        var container = encoder.unkeyedContainer()
        switch value {
        case .null: break
        case .int(let v): try container.encode("i"); try container.encode(String(v))
        case .float(let v): try container.encode("f"); try container.encode(String(v.bitPattern))
        case .string(let v): try container.encode("s"); try container.encode(v)
        case .bool(let v): try container.encode("b"); try container.encode(v)
        }
    }

    init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() { value = .null; return }
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
    func jobFolder(warn: ((String) -> Void)? = nil) throws -> URL {
        let jobs = warehouse.root.appendingPathComponent("_strata_jobs", isDirectory: true)
        removeAbandonedJobs(in: jobs, warn: warn)
        let folder = jobs.appendingPathComponent(UUID().uuidString, isDirectory: true)
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
        // The child writes the log through its own descriptor; closing ours cannot lose any of it.
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
            // Read only to tell a missing pyspark or Python from other failures; the log itself is kept below.
            let logText = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if logText.contains("No module named 'pyspark'") || logText.contains("No module named 'pyarrow'") {
                throw SparkError.pysparkMissing(python: python)
            }
            if process.terminationStatus == 127 || logText.contains("No such file or directory") && lastError == nil {
                throw SparkError.pythonMissing(python: python, reason: logText.split(separator: "\n").last.map(String.init) ?? "exit status 127")
            }
            // The job folder is removed when the run ends: its log is kept beside it, and the error names where it is.
            let keptLog = warehouse.root.appendingPathComponent("_strata_jobs", isDirectory: true).appendingPathComponent("last-failure.log")
            var logPath = keptLog.path
            do {
                if FileManager.default.fileExists(atPath: keptLog.path) { try FileManager.default.removeItem(at: keptLog) }
                try FileManager.default.copyItem(at: logURL, to: keptLog)
            } catch {
                logPath = "(not kept: \(error.localizedDescription)) \(logText.suffix(2_000))"
            }
            throw SparkError.jobFailed(command: command, master: settings.master,
                                       message: lastError ?? "the driver exited with status \(process.terminationStatus)", log: logPath)
        }
    }

    /// A job folder untouched for a day belongs to a run that was killed (a live job writes its answer within its run):
    /// it is removed, so killed runs do not fill the warehouse. A folder that cannot be removed is told to `warn`.
    func removeAbandonedJobs(in jobs: URL, olderThan age: TimeInterval = 86_400, warn: ((String) -> Void)? = nil) {
        let manager = FileManager.default
        // No jobs folder yet (the warehouse's first job): nothing to clean; one that cannot be listed fails below, at create.
        guard let names = try? manager.contentsOfDirectory(atPath: jobs.path) else { return }
        let cutoff = Date().addingTimeInterval(-age)
        for name in names where UUID(uuidString: name) != nil {
            let folder = jobs.appendingPathComponent(name)
            // No attributes: another run's cleanup removed the folder meanwhile.
            guard let modified = (try? manager.attributesOfItem(atPath: folder.path))?[.modificationDate] as? Date, modified < cutoff else { continue }
            do {
                try manager.removeItem(at: folder)
            } catch {
                // Gone anyway: another run removed it first.
                if manager.fileExists(atPath: folder.path) {
                    warn?("cannot remove \(folder.path), a job folder a killed run left: \(error.localizedDescription); remove it by hand")
                }
            }
        }
    }

    /// Removes a job's folder (its spines and answers are read by then).
    func finish(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Lowered expressions to evaluate on Spark, each on its own row (the lowering's property test).
package struct SparkEvaluationBatch: Sendable {
    package var cases: [(id: Int, sql: String, row: [Value])] = []
    package var arguments: [(name: String, value: Value)] = []
    /// What the cases select from: `strata_rows` wrapped in their shared subexpressions' layers.
    package var relation = "strata_rows"

    package init() {}
}

struct SparkEvaluationJob: Encodable, Sendable {
    struct Column: Encodable, Sendable { var name: String; var type: String }
    struct Case: Encodable, Sendable { var id: Int; var sql: String; var row: [SparkLiteral] }
    struct Batch: Encodable, Sendable { var cases: [Case]; var args: [SparkArgument]; var relation: String }
    var command = "evaluate"
    var app = "strata expression check"
    var master: String
    var conf: [String: String]
    var columns: [Column]
    var batches: [Batch]
    var out: String
}

extension SparkRunner {
    /// Evaluates each case's Spark SQL on its row, in one session; the answer by case id.
    package func evaluate(columns: [(name: String, type: ValueType)], batches: [SparkEvaluationBatch]) throws -> [Int: Value] {
        let folder = try jobFolder()
        defer { finish(folder) }
        let out = folder.appendingPathComponent("answer.json")
        let job = SparkEvaluationJob(master: settings.master, conf: settings.conf,
                                     columns: columns.map { .init(name: $0.name, type: ExpressionSparkSQL.sparkType($0.type)) },
                                     batches: batches.map { batch in
                                         .init(cases: batch.cases.map { .init(id: $0.id, sql: $0.sql, row: $0.row.map(SparkLiteral.init)) },
                                               args: batch.arguments.map { SparkArgument(name: $0.name, value: SparkLiteral($0.value)) },
                                               relation: batch.relation)
                                     },
                                     out: out.path)
        try run(job, command: "expression evaluation", in: folder, progress: nil)
        struct Answer: Decodable { var id: Int; var value: SparkLiteral }
        guard let data = FileManager.default.contents(atPath: out.path) else { throw SparkError.badAnswer(path: out.path, problem: "missing") }
        let answers = try JSONDecoder().decode([Answer].self, from: data)
        return Dictionary(answers.map { ($0.id, $0.value.value) }, uniquingKeysWith: { a, _ in a })
    }
}
