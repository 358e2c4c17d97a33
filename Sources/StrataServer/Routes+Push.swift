import Hummingbird
import Strata
import StrataCore
import StrataOffline
import Synchronization

/// Request ids of pushes, for lineage and quarantine: the process start time and a counter.
enum PushRequestIDs {
    static let counter = Atomic<Int>(0)
    static let prefix = "req-" + String(currentMicros(), radix: 36)

    static func next() -> String { "\(prefix)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)" }
}

extension FeatureServer {
    /// Feast-style `POST /push`: `{"push_source_name" | "view": …, "df": {column: [values]}, "to": …}`.
    /// The rows go from the decoded body straight into the store's ingest path, once for the source (every view reading
    /// it is updated), recorded as a push under a request id with the content's SHA-256: the same rows pushed again add
    /// nothing. Rows always go offline first (Strata keeps lineage for every served value), so `to: "online"` behaves
    /// like `online_and_offline`; `to: "offline"` skips the online write. The store work runs on `blockingPool`.
    func push(_ body: JSONTree) async throws -> Response {
        let snapshot = try store.snapshot()
        let source: String
        if let view = body["view"]?.string {
            guard let spec = snapshot.tables[view] else { throw FeatureStoreError.unknownView(view, suggestion: nearMiss(view, in: snapshot.tables.keys)) }
            source = spec.view.source.name
        } else if let name = body["push_source_name"]?.string {
            guard snapshot.tables.values.contains(where: { $0.view.source.name == name }) else {
                throw ServerError.notFound("no feature view reads source `\(name)`", code: "unknown_object")
            }
            source = name
        } else {
            throw ServerError.badRequest("send `view` or `push_source_name`", code: "bad_push")
        }
        let to = body["to"]?.string ?? "online_and_offline"
        guard ["online", "offline", "online_and_offline"].contains(to) else {
            throw ServerError.badRequest("`to` must be online, offline or online_and_offline", code: "bad_push")
        }
        let rows = try pushedRows(body["df"])
        let target: PushTarget = to == "offline" ? .offline : .onlineAndOffline
        guard pushesInFlight.wrappingAdd(1, ordering: .relaxed).newValue <= configuration.pushesInFlightMax else {
            pushesInFlight.subtract(1, ordering: .relaxed)
            throw ServerError(status: .serviceUnavailable, code: "busy", message: "\(configuration.pushesInFlightMax) pushes are already running; retry",
                              retryAfterSeconds: 1)
        }
        defer { pushesInFlight.subtract(1, ordering: .relaxed) }
        let requestID = PushRequestIDs.next()
        let crashes = configuration.crashesBeforeOnlinePush
        let report = try await blockingPool.runIfActive { [store] in
            try store.push(source: source, rows: rows, requestID: requestID, target: target, crashesBeforeOnline: crashes)
        }
        if report.isRejected { return Self.rejectedPush(report, requestID: requestID) }
        var json = JSONWriter()
        json.object { o in
            o.key("request_id"); o.string(requestID)
            o.key("source"); o.string(report.source)
            o.key("change"); o.string(report.offline.change.rawValue)
            o.key("content_sha256"); o.string(report.offline.contentSHA256)
            o.key("validation"); o.validation(report.offline.validation)
            o.key("pushed")
            o.array { a in
                for view in report.views {
                    a.object { r in
                        r.key("view"); r.string(view.view)
                        r.key("rows_accepted"); r.int(report.offline.rowsAccepted)
                        r.key("rows_quarantined"); r.int(report.offline.rowsQuarantined)
                        r.key("online_written"); r.int(view.onlineWritten)
                        r.key("quarantine"); r.array { q in for row in report.offline.quarantineSample { q.string("\(row.file):\(row.line): \(row.reason)") } }
                    }
                }
            }
        }
        return json.response()
    }

    /// The `df` object (column → list of values) as rows, columns sorted by name. Numbers are read from their text
    /// exactly (`JSONInput.scalar`), so an int64 key column keeps every digit and `true` is never 1.
    func pushedRows(_ frame: JSONTree?) throws -> PushedRows {
        guard let frame = frame?.members, !frame.isEmpty else {
            throw ServerError.badRequest("`df` must be an object of column → list of values", code: "bad_push")
        }
        let columns = try frame.sorted { $0.name < $1.name }.map { member -> (String, [JSONTree]) in
            guard let list = member.value.array else { throw ServerError.badRequest("`df.\(member.name)` must be a list", code: "bad_push") }
            return (member.name, list)
        }
        let count = columns[0].1.count
        guard count > 0, columns.allSatisfy({ $0.1.count == count }) else {
            throw ServerError.badRequest("every `df` column needs the same, non-zero number of values", code: "bad_push")
        }
        guard count <= configuration.entitiesMax * 10 else {
            throw ServerError.badRequest("\(count) rows exceed the push limit of \(configuration.entitiesMax * 10)", code: "too_many_rows")
        }
        let rows = (0..<count).map { row in columns.map { JSONInput.scalar($0.1[row], integralDecimals: true) } }
        return PushedRows(columns: columns.map(\.0), rows: rows)
    }

    /// `GET /registry/{services|views|entities|sources|features}`: read-only listings with versions.
    func registryListing(_ kind: String) throws -> Response {
        let applied = try store.snapshot().applied
        let d = applied.compiled.definitions
        var json = JSONWriter()
        switch kind {
        case "services":
            json.array { a in
                for s in d.services {
                    a.object { o in
                        o.key("name"); o.string(s.name)
                        o.key("version"); o.int(applied.version(.service, s.name))
                        o.key("features"); o.array { f in for r in s.features { f.string(r.description) } }
                        o.key("owner"); if let owner = s.owner { o.string(owner) } else { o.null() }
                        o.key("logging_sample_rate"); if let rate = s.loggingSampleRate { o.double(rate) } else { o.null() }
                    }
                }
            }
        case "views":
            json.array { a in
                for v in d.views {
                    a.object { o in
                        o.key("name"); o.string(v.name)
                        o.key("version"); o.int(applied.version(.view, v.name))
                        o.key("entities"); o.array { e in for name in v.entities { e.string(name) } }
                        o.key("source"); o.string(v.source)
                        o.key("ttl"); if let ttl = v.ttlMicros { o.string(FeatureDuration.format(ttl)) } else { o.null() }
                        o.key("features"); o.array { f in for feature in v.features { f.object { x in x.key("name"); x.string(feature.name); x.key("type"); x.string(feature.type.rawValue) } } }
                    }
                }
            }
        case "features":
            json.array { a in
                for v in d.views {
                    for f in v.features {
                        a.object { o in
                            o.key("name"); o.string("\(v.name):\(f.name)")
                            o.key("type"); o.string(f.type.rawValue)
                            o.key("view_version"); o.int(applied.version(.view, v.name))
                            o.key("expression"); o.string(f.expression)
                        }
                    }
                }
            }
        case "entities":
            json.array { a in
                for e in d.entities {
                    a.object { o in
                        o.key("name"); o.string(e.name)
                        o.key("version"); o.int(applied.version(.entity, e.name))
                        o.key("join_keys"); o.object { k in for key in e.joinKeys { k.key(key.name); k.string(key.type.rawValue) } }
                    }
                }
            }
        default:
            throw ServerError.notFound("unknown registry listing `\(kind)`; use services, views, features or entities", code: "no_such_route")
        }
        return json.response()
    }
}
