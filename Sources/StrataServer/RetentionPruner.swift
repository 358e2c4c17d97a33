import Logging
import NIOPosix
import ServiceLifecycle
import Strata
import StrataCore

/// Keeps the stores that grow with traffic within their retention (`retention:` in strata.yaml): once at start and
/// then every `interval`, the feature log and the quarantine lose rows older than that, on the server's thread pool,
/// never on the request path. Failures are logged and tried again next time.
struct RetentionPruner: Service {
    let store: FeatureStore
    let pool: NIOThreadPool
    let logger: Logger
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await pool.runIfActive { prune() }
                    try await Task.sleep(for: interval)
                } catch {
                    break
                }
            }
        }
    }

    private func prune() {
        do {
            let (log, quarantine) = try store.pruneRetained(now: currentMicros())
            if log + quarantine > 0 {
                logger.info("retention: pruned \(log) feature-log rows and \(quarantine) quarantined rows")
            }
        } catch {
            logger.error("retention: pruning the feature log and quarantine failed (tried again in \(interval)): \(String(reflecting: error))")
        }
    }
}
