import Yams

extension DefinitionLoader {
    /// `monitoring: {every:, window:, reference:, drift_share:, features: {view:feature: {method:, threshold:}}, alert: {webhook:}}`.
    /// Feature names must be features of the service (`features`); under a `view:*` reference any feature of the view is accepted.
    static func readMonitoring(_ node: Node, features: [FeatureReference], _ reader: inout YAMLReader, context: String) -> ServiceMonitoring? {
        let allowed = ["every", "window", "reference", "drift_share", "features", "alert"]
        guard let fields = reader.fields(node, allowed: allowed, context: context) else { return nil }
        let every = readPositiveDuration(fields["every"], "every", &reader, context: context)
        if fields["every"] == nil { reader.error("missing required field `every`", node, context, fix: "add `every: 15m`") }
        let window = readPositiveDuration(fields["window"], "window", &reader, context: context)
        var reference: ProfileSpec?
        if let referenceNode = fields["reference"], let text = reader.string(referenceNode, field: "reference", context: context) {
            switch ProfileSpec.parse(text) {
            case .success(let spec) where spec.isLogs:
                reader.error("a monitoring reference cannot be the serving log itself", referenceNode, "\(context), field `reference`",
                             fix: "use a training set (`training-set:ID`), an ingest run (`run:N`) or a window of offline data (`source:T1..T2`)")
            case .success(let spec): reference = spec
            case .failure(let failure):
                reader.error(failure.description, referenceNode, "\(context), field `reference`", fix: "write \(ProfileSpecFailure.forms)")
            }
        } else if fields["reference"] == nil {
            reader.error("missing required field `reference`", node, context, fix: "add `reference: training-set:ID` (ids are listed by `strata historical --list`)")
        }
        var share = 0.5
        if let shareNode = fields["drift_share"] {
            if let text = shareNode.scalar?.string, let value = Double(text), value > 0, value <= 1 { share = value } else {
                reader.error("`drift_share` must be a share in (0, 1], found \(reader.describe(shareNode))", shareNode, context,
                             fix: "write e.g. `drift_share: 0.5` (the service drifts when half its features drift)")
            }
        }
        let overrides = fields["features"].map { readFeatureMonitoring($0, services: features, &reader, context: "\(context), field `features`") } ?? [:]
        var webhook: String?
        if let alert = fields["alert"], let alertFields = reader.fields(alert, allowed: ["webhook"], context: "\(context), field `alert`") {
            if let urlNode = alertFields["webhook"], let url = reader.string(urlNode, field: "webhook", context: context) {
                if let problem = webhookProblem(url) {
                    reader.error("webhook `\(url)` \(problem)", urlNode, "\(context), field `alert.webhook`",
                                 fix: "write an HTTP or HTTPS address such as `https://hooks.example.com/strata` or `http://127.0.0.1:9000/hooks/strata`")
                } else {
                    webhook = url
                }
            } else if alertFields["webhook"] == nil {
                reader.error("missing `webhook`", alert, "\(context), field `alert`", fix: "write `alert: {webhook: http://host:port/path}`")
            }
        }
        guard let every, let reference else { return nil }
        return ServiceMonitoring(everyMicros: every, windowMicros: window, reference: reference, driftShare: share, features: overrides, webhook: webhook)
    }

    static func readPositiveDuration(_ node: Node?, _ field: String, _ reader: inout YAMLReader, context: String) -> Int64? {
        guard let node, let text = reader.string(node, field: field, context: context) else { return nil }
        switch FeatureDuration.parse(text) {
        case .success(let micros) where micros >= 1_000_000: return micros
        case .success: reader.error("`\(field)` must be at least 1s, got `\(text)`", node, "\(context), field `\(field)`", fix: "write e.g. `\(field): 15m`")
        case .failure(let failure): reader.error(failure.description, node, "\(context), field `\(field)`", fix: "write a duration such as `15m`, `1h` or `1d`")
        }
        return nil
    }

    static func readFeatureMonitoring(_ node: Node, services: [FeatureReference], _ reader: inout YAMLReader, context: String) -> [String: FeatureMonitoring] {
        guard let mapping = node.mapping else {
            reader.error("`features` must map `view:feature` to `{method: …, threshold: …}`", node, context, fix: "write e.g. `driver_stats:conv_rate: {method: psi}`")
            return [:]
        }
        var result: [String: FeatureMonitoring] = [:]
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else { continue }
            let featureContext = "\(context), feature `\(name)`"
            guard let fields = reader.fields(valueNode, allowed: ["method", "threshold"], context: featureContext) else { continue }
            var entry = FeatureMonitoring()
            if let methodNode = fields["method"], let method = reader.string(methodNode, field: "method", context: featureContext) {
                if ServiceMonitoring.methodNames.contains(method) { entry.method = method } else {
                    reader.error("unknown drift method `\(method)`", methodNode, featureContext,
                                 fix: didYouMean(method, in: ServiceMonitoring.methodNames) ?? "use one of \(ServiceMonitoring.methodNames.joined(separator: ", "))")
                }
            }
            if let thresholdNode = fields["threshold"] {
                if let text = thresholdNode.scalar?.string, let value = Double(text), value.isFinite, value >= 0 { entry.threshold = value } else {
                    reader.error("`threshold` must be a non-negative number, found \(reader.describe(thresholdNode))", thresholdNode, featureContext,
                                 fix: "write e.g. `threshold: 0.2` (a distance) or `threshold: 0.01` (a p-value)")
                }
            }
            guard let reference = FeatureReference.parse(name), reference.feature != nil else {
                reader.error("`\(name)` is not a feature reference", keyNode, context, fix: "write `view:feature`, as in the service's `features`")
                continue
            }
            guard services.contains(where: { $0 == reference || ($0.view == reference.view && $0.feature == nil) }) else {
                reader.error("feature `\(name)` is not a feature of this service", keyNode, context,
                             fix: didYouMean(name, in: services.map(\.description)) ?? "the service has \(services.map { "`\($0)`" }.joined(separator: ", "))")
                continue
            }
            result[name] = entry
        }
        return result
    }

    /// Nil when `url` is an `http(s)://host[:port][/path]` address this server can post to; otherwise what is wrong.
    static func webhookProblem(_ url: String) -> String? {
        guard let scheme = ["http://", "https://"].first(where: url.hasPrefix) else { return "is not an http:// or https:// address" }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !authority.isEmpty, !authority.contains("@") else { return "has no host" }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return "has a bad port" }
        }
        return nil
    }
}

extension ProfileSpec {
    var isLogs: Bool { if case .logs = self { return true } else { return false } }
}
