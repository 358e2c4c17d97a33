import Foundation
import Hummingbird
import Strata
import StrataCore

extension FeatureServer {
    /// Feast-style `POST /push`: `{"push_source_name" | "view": …, "df": {column: [values]}, "to": …}`.
    /// `push_source_name` names a source: every view reading it is updated. Rows always go offline first (Strata keeps
    /// lineage for every served value), so `to: "online"` is accepted and behaves like `online_and_offline`.
    func push(_ body: [String: Any]) throws -> Response {
        let applied = try store.appliedProject()
        let views: [String]
        if let view = body["view"] as? String {
            views = [view]
        } else if let source = body["push_source_name"] as? String {
            views = applied.compiled.definitions.views.filter { $0.source == source }.map(\.name)
            if views.isEmpty { throw ServerError.notFound("no feature view reads source `\(source)`", code: "unknown_object") }
        } else {
            throw ServerError.badRequest("send `view` or `push_source_name`", code: "bad_push")
        }
        let to = body["to"] as? String ?? "online_and_offline"
        guard ["online", "offline", "online_and_offline"].contains(to) else {
            throw ServerError.badRequest("`to` must be online, offline or online_and_offline", code: "bad_push")
        }
        guard let frame = body["df"] as? [String: Any], !frame.isEmpty else {
            throw ServerError.badRequest("`df` must be an object of column → list of values", code: "bad_push")
        }
        let columns = try frame.sorted { $0.key < $1.key }.map { name, value -> (String, [Any]) in
            guard let list = value as? [Any] else { throw ServerError.badRequest("`df.\(name)` must be a list", code: "bad_push") }
            return (name, list)
        }
        let count = columns[0].1.count
        guard count > 0, columns.allSatisfy({ $0.1.count == count }) else {
            throw ServerError.badRequest("every `df` column needs the same, non-zero number of values", code: "bad_push")
        }
        guard count <= configuration.entitiesMax * 10 else {
            throw ServerError.badRequest("\(count) rows exceed the push limit of \(configuration.entitiesMax * 10)", code: "too_many_rows")
        }
        var lines = ""
        for row in 0..<count {
            var json = JSONWriter()
            json.object { o in for (name, list) in columns { o.key(name); Self.writeJSONScalar(list[row], &o) } }
            lines += String(decoding: json.bytes, as: UTF8.self) + "\n"
        }
        // The batch is staged as a file named by its content, so pushing the same batch twice is recognised and idempotent.
        var hasher = SHA256()
        hasher.update(Array(lines.utf8))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-push-\(hasher.finalizeHex().prefix(16)).jsonl")
        try Data(lines.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var json = JSONWriter()
        var results: [PushReport] = []
        for view in views { results.append(try store.push(view: view, file: file)) }
        json.object { o in
            o.key("pushed")
            o.array { a in
                for report in results {
                    a.object { r in
                        r.key("view"); r.string(report.view)
                        r.key("rows_accepted"); r.int(report.offline.rowsAccepted)
                        r.key("rows_quarantined"); r.int(report.offline.rowsQuarantined)
                        r.key("online_written"); r.int(report.onlineWritten)
                        r.key("quarantine"); r.array { q in for row in report.offline.quarantineSample { q.string("line \(row.line): \(row.reason)") } }
                    }
                }
            }
        }
        return json.response()
    }

    /// `GET /registry/{services|views|entities|sources|features}`: read-only listings with versions.
    func registryListing(_ kind: String) throws -> Response {
        let applied = try store.appliedProject()
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
