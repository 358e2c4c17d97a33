public import StrataCore

/// Why a Spark job could not run or its answer could not be read.
public enum SparkError: StrataError {
    /// The configured Python does not exist or cannot be run.
    case pythonMissing(python: String, reason: String)
    /// The configured Python runs but has no pyspark (or pyarrow).
    case pysparkMissing(python: String)
    /// The warehouse is a URI this binary cannot write (it publishes the source tables itself).
    case warehouseNotLocal(uri: String)
    case warehouseUnwritable(path: String, reason: String)
    /// The driver failed; `message` is its last line, `log` the file with everything it printed.
    case jobFailed(command: String, master: String, message: String, log: String)
    /// Spark's answer did not have the expected shape.
    case badAnswer(path: String, problem: String)

    public var what: String {
        switch self {
        case .pythonMissing(let python, let reason): return "cannot run the Python for Spark, `\(python)`: \(reason)"
        case .pysparkMissing(let python): return "`\(python)` has no pyspark: the Spark engine drives Spark through it"
        case .warehouseNotLocal(let uri): return "the warehouse `\(uri)` is not a local or mounted folder"
        case .warehouseUnwritable(let path, let reason): return "cannot write the warehouse at \(path): \(reason)"
        case .jobFailed(let command, let master, let message, _): return "the Spark \(command) job on `\(master)` failed: \(message)"
        case .badAnswer(let path, let problem): return "Spark's answer in \(path) cannot be read: \(problem)"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .pythonMissing, .pysparkMissing, .warehouseNotLocal: return SourceLocation(file: "strata.yaml", line: 0, column: 0, context: "offline.spark")
        default: return nil
        }
    }

    public var fix: String? {
        switch self {
        case .pythonMissing: return "set `offline.spark.python` in strata.yaml to a Python 3 with pyspark and pyarrow (default: python3 on PATH)"
        case .pysparkMissing(let python): return "install it into that Python (`\(python) -m pip install pyspark pyarrow`), or point `offline.spark.python` at one that has it"
        case .warehouseNotLocal: return "mount the shared storage and give its path as `offline.spark.warehouse` (hdfs:// and s3a:// are not written by this version)"
        case .warehouseUnwritable: return "check the folder's permissions and free space, or choose another `offline.spark.warehouse`"
        case .jobFailed(_, _, _, let log): return "read the driver's output in \(log); check that the master is reachable and Java 17 is installed"
        case .badAnswer: return "this is a bug in Strata's Spark driver; please report it with the job folder"
        }
    }
}
