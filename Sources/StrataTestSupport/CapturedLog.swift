public import Logging
import Synchronization

/// A logger whose lines a test can read back: `let log = CapturedLog(); let store = try FeatureStore(…, logger: log.logger)`.
public final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger that records every line (level, message and metadata) here.
    public var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    /// Every line logged so far, as `level: message [key=value …]`.
    public var entries: [String] { lines.withLock { $0 } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
            log.append("\(event.level): \(event.message)" + (rendered.isEmpty ? "" : " [\(rendered)]"))
        }
    }
}
