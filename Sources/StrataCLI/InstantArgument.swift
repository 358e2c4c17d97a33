import ArgumentParser
import StrataCore

/// Every CLI timestamp (`--at`, `--end`, `--as-of`, `--since`, `--until`): RFC 3339 with a zone, parsed once when the
/// arguments are read. Text it cannot parse is a usage error (exit 64) naming the option, never "now".
struct InstantArgument: ExpressibleByArgument, Sendable {
    /// Microseconds since the Unix epoch, UTC.
    let micros: Int64

    init?(argument: String) {
        guard case .success(let micros) = Timestamp.parse(argument) else { return nil }
        self.micros = micros
    }

}
