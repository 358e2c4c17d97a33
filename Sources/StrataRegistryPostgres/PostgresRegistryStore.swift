import Foundation
public import Logging
import NIOCore
import NIOPosix
import PostgresNIO
public import StrataRegistry
import Synchronization

/// The registry in a PostgreSQL database that a team shares: several machines apply to it and every `strata serve`
/// pointed at it hears each new revision at once (`LISTEN strata_registry`, see `PostgresRegistryWatcher`).
///
/// One connection per process, opened on first use and opened again after it broke; calls are serialised on it and
/// block the calling thread (the `RegistryStore` contract: call off the cooperative pool). An apply locks the
/// registry's state row (`SELECT … FOR UPDATE`) inside its transaction, so concurrent applies from any number of
/// machines serialise and exactly one wins each revision.
public final class PostgresRegistryStore: RegistryStore {
    public let url: RegistryURL
    public var location: String { url.description }
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    /// The open connection, if any; held while a call uses it (calls on one store run one at a time).
    private let connection = Mutex<PostgresConnection?>(nil)
    /// A loop of the registry's own. Calls block their thread until the loop answers, so that loop must never be one a
    /// caller runs on.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// How long a call waits for the server before the connection is dropped as dead.
    static let answerTimeoutSeconds: Int64 = 5

    /// Connects to the registry at `url` and migrates its schema (concurrent first opens are serialised by an advisory
    /// lock, so each migration runs once).
    /// - Throws: `RegistryError.unreachable` when the server cannot be reached or refuses the login; `.postgres` when
    ///   the schema cannot be migrated.
    public init(url: RegistryURL, password: String?, logger: Logger = Logger(label: "strata.registry")) throws(RegistryError) {
        self.url = url
        self.logger = logger
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: password,
                                                             database: url.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        self.configuration = configuration
        try migrate()
    }

    /// Runs `body` on the connection, opening it first when needed. A broken connection is dropped, and the call made
    /// once more on a new one.
    func withConnection<T>(_ operation: String, _ body: (PostgresConnection) throws -> T) throws(RegistryError) -> T {
        do {
            return try connection.withLock { slot -> T in
                for attempt in 1...2 {
                    let open = try slot ?? connect()
                    slot = open
                    do {
                        return try body(open)
                    } catch let error as PSQLError where Self.isConnectionLost(error) && attempt == 1 {
                        slot = nil
                        Self.closeDropped(open)
                    } catch is NoAnswer where attempt == 1 {
                        // A connection that stopped answering (seen once after the server restarted: the query was
                        // never answered, nor failed) is dropped, not waited on for ever.
                        slot = nil
                        Self.closeDropped(open)
                    }
                }
                throw RegistryError.unreachable(location: location, message: "the connection broke twice")
            }
        } catch is NoAnswer {
            connection.withLock { slot in
                if let open = slot { Self.closeDropped(open) }
                slot = nil
            }
            throw RegistryError.unreachable(location: location, message: "no answer within \(Self.answerTimeoutSeconds) s")
        } catch let error as RegistryError {
            throw error
        } catch {
            throw wrapping(error, operation: operation)
        }
    }

    func connect() throws -> PostgresConnection {
        do {
            return try Self.answer(PostgresConnection.connect(on: Self.eventLoops.next(), configuration: configuration, id: 1, logger: logger))
        } catch is NoAnswer {
            throw RegistryError.unreachable(location: location, message: "no answer within \(Self.answerTimeoutSeconds) s")
        } catch {
            throw RegistryError.unreachable(location: location, message: Self.describe(error))
        }
    }

    /// Runs one statement and collects its rows.
    static func rows(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) throws -> [PostgresRow] {
        try answer(connection.query(query, logger: logger)).rows
    }

    /// Closes a connection this store is dropping (broken, silent, or at deinit). It may already be dead, so a failed
    /// close is the expected answer; the caller has already reported the error that matters.
    static func closeDropped(_ connection: PostgresConnection) {
        _ = try? answer(connection.close())
    }

    /// The future's value, or `NoAnswer` when the server has not answered within `answerTimeoutSeconds`: a call never
    /// blocks its thread (and the store's lock) for ever.
    static func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let timer = future.eventLoop.scheduleTask(in: .seconds(answerTimeoutSeconds)) { promise.fail(NoAnswer()) }
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }

    /// Runs `body` between BEGIN and COMMIT (ROLLBACK when it throws).
    func transaction<T>(_ operation: String, _ body: (PostgresConnection) throws -> T) throws(RegistryError) -> T {
        try withConnection(operation) { connection in
            _ = try Self.rows(connection, "BEGIN", logger)
            do {
                let result = try body(connection)
                _ = try Self.rows(connection, "COMMIT", logger)
                return result
            } catch {
                _ = try? Self.rows(connection, "ROLLBACK", logger)
                throw error
            }
        }
    }

    static func isConnectionLost(_ error: PSQLError) -> Bool {
        [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown].contains(error.code)
    }

    func wrapping(_ error: any Error, operation: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if let error = error as? PSQLError {
            if Self.isConnectionLost(error) || error.code == .connectionError { return .unreachable(location: location, message: Self.describe(error)) }
            return .postgres(operation: operation, location: location, sqlState: error.serverInfo?[.sqlState], message: Self.describe(error))
        }
        return .postgres(operation: operation, location: location, sqlState: nil, message: "\(error)")
    }

    /// The server's message when there is one, else the error's own text.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }

    deinit {
        if let open = connection.withLock({ $0 }) { Self.closeDropped(open) }
    }
}

/// The server did not answer a call in time.
struct NoAnswer: Error {}
