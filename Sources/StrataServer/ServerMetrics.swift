import Foundation
import Prometheus
import Strata
import StrataCore
import Synchronization

/// Prometheus metrics of the server: requests and latency per route and status, lookups by status,
/// dropped feature-log records, and per view the age of the last materialization.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lookups: [FeatureStatus: Counter]
    private let logDropped: Gauge
    private let logWritten: Gauge

    static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "strata", metricName: name, unitName: unit, helpText: help)
    }

    static var requests: MetricNameDescriptor { descriptor("http_requests", "total", "HTTP requests by route and status") }
    static var latency: MetricNameDescriptor { descriptor("http_request_duration", "seconds", "HTTP request latency by route") }
    static var storeAge: MetricNameDescriptor { descriptor("store_age", "seconds", "Seconds since the end instant of each view's last materialization") }

    init() {
        var lookups: [FeatureStatus: Counter] = [:]
        for status in [FeatureStatus.present, .notFound, .expired, .notMaterialized] {
            lookups[status] = registry.makeCounter(descriptor: Self.descriptor("lookups", "total", "Feature values served by status"), labels: [("status", status.rawValue)])
        }
        self.lookups = lookups
        logDropped = registry.makeGauge(descriptor: Self.descriptor("feature_log_dropped", "total", "Feature-log records dropped because the queue was full"))
        logWritten = registry.makeGauge(descriptor: Self.descriptor("feature_log_written", "total", "Feature-log records written"))
    }

    func request(route: String, status: Int, seconds: Double) {
        let (counter, histogram) = routeMetrics(route: route, status: status)
        counter.increment()
        histogram.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The counter and histogram of a route and status, made once: the registry's `make…` builds the metric's name and
    /// sorts its labels under the registry's lock on every call, which cost more than the lookup it measured.
    private func routeMetrics(route: String, status: Int) -> (Counter, DurationHistogram) {
        let key = RouteStatus(route: route, status: status)
        if let known = routes.withLock({ $0[key] }) { return known }
        let made = (registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", String(status))]),
                    registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)], buckets: Self.latencyBuckets))
        routes.withLock { $0[key] = made }
        return made
    }

    private struct RouteStatus: Hashable {
        let route: String
        let status: Int
    }

    private let routes = Mutex<[RouteStatus: (Counter, DurationHistogram)]>([:])
    private static let latencyBuckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                                                     .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1)]

    func lookedUp(_ values: [[OnlineFeatureValue]]) {
        var present = 0, notFound = 0, expired = 0, notMaterialized = 0
        for row in values {
            for value in row {
                switch value.status {
                case .present: present += 1
                case .notFound: notFound += 1
                case .expired: expired += 1
                case .notMaterialized: notMaterialized += 1
                }
            }
        }
        for (status, count) in [(FeatureStatus.present, present), (.notFound, notFound), (.expired, expired), (.notMaterialized, notMaterialized)] where count > 0 {
            lookups[status]?.increment(by: Int64(count))
        }
    }

    /// Renders the text exposition, refreshing the gauges that are computed at scrape time.
    /// - Throws: store errors (a corrupt watermark, say): a scrape that cannot read the store fails rather than lie.
    func render(store: FeatureStore, logger: FeatureLogger?) throws -> [UInt8] {
        if let logger {
            let counts = logger.counts
            logDropped.set(Double(counts.dropped))
            logWritten.set(Double(counts.written))
        }
        let now = currentMicros()
        for (name, layout) in try store.snapshot().layouts {
            guard let watermark = try store.materializationWatermark(layout) else { continue }
            registry.makeGauge(descriptor: Self.storeAge, labels: [("view", name)]).set(Double(now - watermark.end) / 1e6)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
