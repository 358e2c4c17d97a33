import Foundation
import Synchronization

/// A real PostgreSQL server for tests: its own cluster in a temporary folder (`initdb` as the unprivileged `postgres`
/// user when the tests run as root), on a free loopback port, with password authentication (SCRAM) for TCP. Started
/// once per test process on first use and stopped when the process exits; nothing depends on a system service.
public final class PostgresServer: Sendable {
    public let port: Int
    public let folder: String
    public let user = "strata"
    public let password = "strata-test-password"
    private let binaries: String
    private let databases = Atomic<Int>(0)

    /// The shared server of this test process (started on first use).
    public static var shared: PostgresServer {
        get throws {
            try sharedServer.withLock { server in
                if let server { return server }
                let started = try PostgresServer()
                server = started
                atexit { PostgresServer.stopShared() }
                return started
            }
        }
    }

    private static let sharedServer = Mutex<PostgresServer?>(nil)

    private static func stopShared() {
        if let server = sharedServer.withLock({ $0 }) { server.stop() }
    }

    /// The environment a `strata` process needs to log in (`PGPASSWORD`).
    public var environment: [String: String] { ["PGPASSWORD": password] }

    public init() throws {
        guard let bin = Self.findBinaries() else {
            throw PostgresServerError("PostgreSQL's server programs are not installed: run `make deps` (Debian package `postgresql`)")
        }
        binaries = bin
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/pwfile"))
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", folder]) }
        port = try Self.freePort()
        try runAsServerUser("initdb", ["-D", folder + "/data", "-U", user, "--pwfile=\(folder)/pwfile", "--auth-local=trust", "--auth-host=scram-sha-256",
                                       "-E", "UTF8", "--no-sync"])
        try start()
        try Self.run(binaries + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "strata"], environment: environment)
    }

    /// Starts (or restarts after `stop`) the server, waiting until it accepts connections.
    public func start() throws {
        try runAsServerUser("pg_ctl", ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "30", "start", "-o",
                                       "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200"])
    }

    /// Stops the server at once (open connections are cut, as when a database host goes away).
    public func stop() {
        try? runAsServerUser("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
    }

    /// A new, empty database on this server; returns its `postgresql://` URL (without a password).
    public func newDatabase() throws -> String {
        let name = "strata_\(getpid())_\(databases.wrappingAdd(1, ordering: .relaxed).newValue)"
        try Self.run(binaries + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name], environment: environment)
        return "postgresql://\(user)@127.0.0.1:\(port)/\(name)"
    }

    private func runAsServerUser(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.run("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", binaries + "/" + program] + arguments)
        } else {
            try Self.run(binaries + "/" + program, arguments)
        }
    }

    /// Runs a program to its end with `posix_spawn` and `waitpid` (Foundation's `Process` never saw `pg_ctl start` end:
    /// the server it leaves running shares its process group), output to a file.
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("strata-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, program, &actions, nil, argv, envp) == 0 else { throw PostgresServerError("cannot start \(program)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw PostgresServerError("\(program) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
    }

    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { "\(root)/\($0)/bin" }.flatMap { FileManager.default.fileExists(atPath: $0 + "/initdb") ? $0 : nil }
    }

    /// A port nothing listens on now (bound, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresServerError("no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the test server could not be set up.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
