import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Strata
import StrataCore
import StrataOffline
import StrataQuality
import Synchronization

/// Drift monitoring in the server, off the request path: for each feature service with a `monitoring:` block, every
/// `every` it profiles the server's feature log over the last `window` and compares it with the reference
/// (`FeatureStore.drift`, stored as origin `monitor`), publishes the scores as Prometheus gauges and, on drift,
/// alerts the service's webhook. Each second it also looks for new rejected or warned ingest and push runs and
/// alerts the webhooks of the services reading their source. All store work runs on the server's thread pool.
final class DriftMonitor: Service, Sendable {
    private struct State {
        var nextDue: [String: Int64] = [:]
        var lastQualityRunID: Int64?
        /// The last registry problem logged and when, so a registry that stays busy or damaged gives a line a minute.
        var registryProblem: (text: String, at: Int64)?
    }

    let store: FeatureStore
    let pool: NIOThreadPool
    let alerts: AlertSender
    let metrics: ServerMetrics
    let logger: Logger
    let pollInterval: Duration
    private let state = Mutex(State())

    init(store: FeatureStore, pool: NIOThreadPool, alerts: AlertSender, metrics: ServerMetrics, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.pool = pool
        self.alerts = alerts
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.pool.runIfActive { self.tick(now: currentMicros()) }
                    try await Task.sleep(for: self.pollInterval)
                } catch {
                    break
                }
            }
        }
    }

    /// One round: due drift comparisons, then new failed runs. Blocking; errors are logged, never thrown.
    func tick(now: Int64) {
        let services: [FeatureServiceDefinition]
        do {
            services = try store.appliedProject().compiled.definitions.services.filter { $0.monitoring != nil }
        } catch FeatureStoreError.nothingApplied {
            return  // nothing applied yet: nothing to monitor
        } catch {
            // A busy or damaged registry skips the round; it must not do so silently.
            let text = String(reflecting: error)
            let shouldLog = state.withLock { state in
                guard state.registryProblem.map({ $0.text != text || now - $0.at >= 60_000_000 }) ?? true else { return false }
                state.registryProblem = (text, now)
                return true
            }
            if shouldLog { logger.error("drift monitoring skipped a round: the applied definitions cannot be read: \(text)") }
            return
        }
        state.withLock { $0.registryProblem = nil }
        for service in services {
            guard let monitoring = service.monitoring else { continue }
            let due = state.withLock { $0.nextDue[service.name] ?? now }
            guard now >= due else { continue }
            state.withLock { $0.nextDue[service.name] = now + monitoring.everyMicros }
            compare(service, monitoring, now: now)
        }
        alertFailedRuns(services)
    }

    private func compare(_ service: FeatureServiceDefinition, _ monitoring: ServiceMonitoring, now: Int64) {
        do {
            let stored = try store.drift(service: service.name, reference: monitoring.reference,
                                         current: .logs(since: now - monitoring.windowMicros, until: now), now: now, origin: "monitor")
            metrics.recordDrift(service: service.name, stored.report)
            logger.info("drift of \(service.name): \(stored.report.driftingCount) of \(stored.report.features.count) features drift (report \(stored.id))")
            if stored.report.isDrifting, let webhook = monitoring.webhook {
                alerts.offer(AlertSender.Alert(webhook: webhook, body: try Self.encode(DriftAlert(stored)),
                                               summary: "drift of \(service.name) (report \(stored.id))"))
            }
        } catch {
            logger.error("drift monitoring of \(service.name) failed: \(String(reflecting: error))")
        }
    }

    private func alertFailedRuns(_ services: [FeatureServiceDefinition]) {
        do {
            let last = try state.withLock({ $0.lastQualityRunID }) ?? store.latestQualityRunID()
            let runs = try store.failedQualityRuns(after: last)
            state.withLock { $0.lastQualityRunID = max(last, runs.last?.runID ?? last) }
            guard !runs.isEmpty else { return }
            let views = try store.appliedProject().compiled.definitions.views
            for run in runs {
                for service in services {
                    guard let webhook = service.monitoring?.webhook,
                          service.features.contains(where: { reference in views.contains { $0.name == reference.view && $0.source == run.source } })
                    else { continue }
                    alerts.offer(AlertSender.Alert(webhook: webhook, body: try Self.encode(ValidationAlert(service: service.name, run: run)),
                                                   summary: "\(run.verdict.rawValue) run \(run.runID) of \(run.source)"))
                }
            }
        } catch {
            logger.error("checking new ingest runs for alerts failed: \(String(reflecting: error))")
        }
    }

    /// An alert's JSON body; a failure is the caller's to log (an alert is never sent as `{}`).
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}

/// The JSON body of a drift alert.
struct DriftAlert: Encodable {
    struct Feature: Encodable {
        var feature: String
        var method: String?
        var score: Double?
        var threshold: Double?
        var verdict: String
    }

    var kind = "drift"
    var service: String
    var reportID: Int64
    var computedAt: String
    var reference: String
    var current: String
    var driftingFeatures: Int
    var comparedFeatures: Int
    var driftShare: Double
    var driftShareThreshold: Double
    var features: [Feature]

    init(_ stored: StoredDriftReport) {
        service = stored.service
        reportID = stored.id
        computedAt = Timestamp.format(stored.createdAtMicros)
        reference = stored.reference
        current = stored.current
        driftingFeatures = stored.report.driftingCount
        comparedFeatures = stored.report.features.count
        driftShare = stored.report.driftingShare
        driftShareThreshold = stored.report.driftShareThreshold
        features = stored.featuresBySeverity.map {
            Feature(feature: $0.feature, method: $0.method?.rawValue, score: $0.score.flatMap { $0.isFinite ? $0 : nil },
                    threshold: $0.threshold, verdict: $0.verdict.rawValue)
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, service, reportID = "report_id", computedAt = "computed_at", reference, current, driftingFeatures = "drifting_features"
        case comparedFeatures = "compared_features", driftShare = "drift_share", driftShareThreshold = "drift_share_threshold", features
    }
}

/// The JSON body of a validation alert: a rejected or warned run of a source the service reads.
struct ValidationAlert: Encodable {
    var kind = "validation"
    var service: String
    var runID: Int64
    var source: String
    var file: String
    var startedAt: String
    var verdict: String
    var failed: [ExpectationResult]

    init(service: String, run: QualityRunRecord) {
        self.service = service
        runID = run.runID
        source = run.source
        file = run.file
        startedAt = Timestamp.format(run.startedAtMicros)
        verdict = run.verdict.rawValue
        failed = run.results.filter { $0.verdict == .warn || $0.verdict == .reject }
    }

    enum CodingKeys: String, CodingKey {
        case kind, service, runID = "run_id", source, file, startedAt = "started_at", verdict, failed
    }
}
