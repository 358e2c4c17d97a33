import Logging
import NIOPosix
import ServiceLifecycle
import Strata
import StrataRegistry
import Synchronization

/// Hears the registry's changes as they are made anywhere (a shared PostgreSQL registry's `LISTEN`), so a revision
/// applied on another machine is served within a second, and loads the new snapshot on the thread pool so no request
/// waits for it. Logs when the registry goes away and comes back; lookups keep the last good revision meanwhile.
/// For a SQLite registry it ends at once (the server watches the registry's files instead).
struct RegistryWatcher: Service {
    let store: FeatureStore
    let pool: NIOThreadPool
    let logger: Logger

    func run() async throws {
        // Each reconnect attempt reports the registry away; only the change is logged.
        let away = Mutex(false)
        await cancelWhenGracefulShutdown {
            await store.watchRegistry { event in
                switch event {
                case .reachable(let revision):
                    away.withLock { $0 = false }
                    logger.info("registry: connected, at revision \(revision)")
                case .unreachable(let message):
                    if !away.withLock({ was in defer { was = true }; return was }) {
                        logger.warning("registry: cannot be reached (\(message)); serving the last good revision until it is back")
                    }
                case .revision, .tokens: break
                }
                // Load the new snapshot off the request path; a failure here is seen (and logged) by the next request.
                pool.submit { _ in _ = try? store.snapshotForServing() }
            }
            // A service that returns ends the whole server: with nothing to watch (SQLite), wait for shutdown instead.
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    return
                }
            }
        }
    }
}
