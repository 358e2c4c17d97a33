import Hummingbird
import Prometheus
import Strata
import StrataCore
import StrataOffline
import StrataQuality

extension JSONWriter {
    /// `[{"expectation", "observed", "threshold", "verdict"}, …]`.
    mutating func validation(_ results: [ExpectationResult]) {
        array { a in
            for result in results {
                a.object { o in
                    o.key("expectation"); o.string(result.expectation)
                    o.key("observed"); o.string(result.observed)
                    o.key("threshold"); o.string(result.threshold)
                    o.key("verdict"); o.string(result.verdict.rawValue)
                }
            }
        }
    }
}

extension FeatureServer {
    /// The 400 answer to a push its source's expectations rejected: the error, then every result with the failed ones
    /// first. Nothing was written.
    static func rejectedPush(_ report: PushReport, requestID: String) -> Response {
        let failed = report.offline.validation.filter { $0.verdict == .reject }
        var json = JSONWriter()
        json.object { o in
            o.key("error")
            o.object { e in
                e.key("code"); e.string("rejected_by_expectations")
                e.key("message")
                e.string("the push to `\(report.source)` was rejected by \(failed.count) expectation\(failed.count == 1 ? "" : "s"); nothing was written")
            }
            o.key("request_id"); o.string(requestID)
            o.key("run_id"); if let id = report.offline.runID { o.int(id) } else { o.null() }
            o.key("failed"); o.validation(failed)
            o.key("validation"); o.validation(report.offline.validation)
        }
        return json.response(status: .badRequest)
    }
}

extension ServerMetrics {
    static var driftScore: MetricNameDescriptor {
        descriptor("feature_drift", "score", "Latest drift score per feature of a monitored service (a p-value for ks, chi_squared and z_test; a distance otherwise)")
    }

    static var serviceDrifting: MetricNameDescriptor {
        descriptor("service_drifting", "", "1 when the latest scheduled comparison found the service drifting, else 0")
    }

    /// Publishes a scheduled comparison's scores (features that could not be tested have none).
    func recordDrift(service: String, _ report: DriftReport) {
        for feature in report.features {
            guard let score = feature.score, let method = feature.method else { continue }
            registry.makeGauge(descriptor: Self.driftScore, labels: [("service", service), ("feature", feature.feature), ("method", method.rawValue)])
                .set(score)
        }
        registry.makeGauge(descriptor: Self.serviceDrifting, labels: [("service", service)]).set(report.isDrifting ? 1.0 : 0.0)
    }
}
