import Foundation
import Hummingbird
import Strata
import StrataCore

extension FeatureServer {
    /// Feast's `POST /get-online-features`: column-major results, entity key columns first.
    func getOnlineFeatures(_ body: [String: Any]) throws -> Response {
        let (reader, serviceName) = try readerFor(body)
        guard let entities = body["entities"] as? [String: Any], !entities.isEmpty else {
            throw ServerError.badRequest("`entities` must be an object of key name → list of values, e.g. {\"driver_id\": [1001]}", code: "missing_entities")
        }
        let columns = try entities.sorted { $0.key < $1.key }.map { name, value -> (String, [Any]) in
            guard let list = value as? [Any] else { throw ServerError.badRequest("`entities.\(name)` must be a list of values", code: "bad_entities") }
            return (name, list)
        }
        let keyColumns = reader.keyNames.compactMap { name in columns.first { $0.0 == name } } + columns.filter { !reader.keyNames.contains($0.0) }
        let rows = try entityRows(columns: keyColumns, reader: reader)
        let now = currentMicros()
        let values = try reader.get(rows, at: now)
        metrics.lookedUp(values)
        logIfSampled(service: serviceName, reader: reader, rows: rows, values: values, at: now)
        let fullNames = body["full_feature_names"] as? Bool ?? false
        var json = JSONWriter()
        json.object { o in
            o.key("metadata")
            o.object { m in
                m.key("feature_names")
                m.array { a in
                    for (name, _) in keyColumns { a.string(name) }
                    for reference in reader.references { a.string(fullNames ? reference.replacingOccurrences(of: ":", with: "__") : String(reference.split(separator: ":").last ?? "")) }
                }
            }
            o.key("results")
            o.array { results in
                for (_, list) in keyColumns {
                    results.object { r in
                        r.key("values"); r.array { a in for value in list { Self.writeJSONScalar(value, &a) } }
                        r.key("statuses"); r.array { a in for _ in list { a.string("PRESENT") } }
                        r.key("event_timestamps"); r.array { a in for _ in list { a.string("1970-01-01T00:00:00Z") } }
                    }
                }
                // Features of one view share their row's event time: each row's time is formatted once, not once per feature
                // (900 formats for 100 entities × 9 features were a fifth of the response's cost, perf, issue 12).
                var formatted = Array(repeating: (Int64.min, ""), count: values.count)
                for column in reader.references.indices {
                    results.object { r in
                        r.key("values"); r.array { a in for row in values { a.value(row[column].value) } }
                        r.key("statuses"); r.array { a in for row in values { a.string(Self.feastStatus(row[column].status)) } }
                        r.key("event_timestamps")
                        r.array { a in
                            for (index, row) in values.enumerated() {
                                let t = row[column].eventTs ?? 0
                                if formatted[index].0 != t { formatted[index] = (t, Timestamp.format(t)) }
                                a.string(formatted[index].1)
                            }
                        }
                    }
                }
            }
        }
        return json.response()
    }

    /// The native `POST /v1/features`: row-major, one object per entity row.
    func nativeFeatures(_ body: [String: Any]) throws -> Response {
        let (reader, serviceName) = try readerFor(body)
        guard let list = body["entities"] as? [[String: Any]], !list.isEmpty else {
            throw ServerError.badRequest("`entities` must be a non-empty list of objects, e.g. [{\"driver_id\": 1001}]", code: "missing_entities")
        }
        guard list.count <= configuration.entitiesMax else {
            throw ServerError.badRequest("\(list.count) entity rows exceed the limit of \(configuration.entitiesMax) per request", code: "too_many_entities")
        }
        var now = currentMicros()
        if let at = body["at"] as? String {
            guard case .success(let micros) = Timestamp.parse(at) else { throw ServerError.badRequest("`at` must be an RFC 3339 time with a zone", code: "bad_time") }
            now = micros
        }
        let rows = try list.enumerated().map { index, object in try entityRow(object, reader: reader, where: "entities[\(index)]") }
        let values = try reader.get(rows, at: now)
        metrics.lookedUp(values)
        logIfSampled(service: serviceName, reader: reader, rows: rows, values: values, at: now)
        var json = JSONWriter()
        json.object { o in
            o.key("features"); o.array { a in for reference in reader.references { a.string(reference) } }
            o.key("at"); o.string(Timestamp.format(now))
            o.key("rows")
            o.array { a in
                for (object, row) in zip(list, values) {
                    a.object { r in
                        r.key("entity"); r.object { e in for (name, value) in object.sorted(by: { $0.key < $1.key }) { e.key(name); Self.writeJSONScalar(value, &e) } }
                        r.key("values"); r.array { v in for value in row { v.value(value.value) } }
                        r.key("statuses"); r.array { v in for value in row { v.string(value.status.rawValue) } }
                        r.key("event_timestamps"); r.array { v in for value in row { if let t = value.eventTs { v.string(Timestamp.format(t)) } else { v.null() } } }
                    }
                }
            }
        }
        return json.response()
    }

    /// The reader for `feature_service`/`service` or `features`, and the service name when there is one.
    func readerFor(_ body: [String: Any]) throws -> (OnlineFeatureReader, String?) {
        let service = (body["feature_service"] ?? body["service"]) as? String
        let features = body["features"]
        guard (service == nil) != (features == nil) else {
            throw ServerError.badRequest("send exactly one of `feature_service` or `features`", code: "bad_selection")
        }
        if let service { return (try readers.reader(.service(service), store: store), service) }
        guard let list = features as? [String], !list.isEmpty else {
            throw ServerError.badRequest("`features` must be a non-empty list like [\"driver_stats:conv_rate\"]", code: "bad_selection")
        }
        let references = try list.map { text -> FeatureReference in
            guard let reference = FeatureReference.parse(text) else { throw ServerError.badRequest("`\(text)` is not `view:feature`", code: "bad_selection") }
            return reference
        }
        return (try readers.reader(.references(references), store: store), nil)
    }

    /// Column-major entity lists → one key dictionary per row; null values leave the key out (→ not_found).
    func entityRows(columns: [(String, [Any])], reader: OnlineFeatureReader) throws -> [[String: KeyPart]] {
        let count = columns.first?.1.count ?? 0
        guard count > 0 else { throw ServerError.badRequest("the entity lists are empty", code: "missing_entities") }
        guard count <= configuration.entitiesMax else {
            throw ServerError.badRequest("\(count) entity rows exceed the limit of \(configuration.entitiesMax) per request", code: "too_many_entities")
        }
        for (name, list) in columns where list.count != count {
            throw ServerError.badRequest("`entities.\(name)` has \(list.count) values, others have \(count)", code: "bad_entities")
        }
        for name in reader.keyNames where !columns.contains(where: { $0.0 == name }) {
            throw ServerError.badRequest("missing entity key `\(name)`", code: "missing_key")
        }
        for (name, _) in columns where !reader.keyNames.contains(name) {
            throw ServerError.badRequest("`\(name)` is not a join key of the requested features (keys: \(reader.keyNames.joined(separator: ", ")))", code: "unknown_key")
        }
        // Column by column into rows: one key dictionary per row, no intermediate `[String: Any]` per row.
        var rows = Array(repeating: [String: KeyPart](minimumCapacity: columns.count), count: count)
        for (name, list) in columns {
            guard let type = reader.keyTypes[name] else { continue }
            for (row, value) in list.enumerated() {
                if let part = try Self.keyPart(value, type: type, name: name, where: "row \(row)") { rows[row][name] = part }
            }
        }
        return rows
    }

    /// A JSON key value as a key part of `type`; nil for JSON null (the row then has no such key → not_found).
    static func keyPart(_ value: Any, type: ValueType, name: String, where place: String) throws -> KeyPart? {
        if value is NSNull { return nil }
        if type == .string {
            guard let text = value as? String else { throw ServerError.badRequest("\(place): `\(name)` must be a string", code: "bad_key_type") }
            return .string(text)
        }
        guard !(value is String), let number = value as? NSNumber, let int = Int64(exactly: number.doubleValue), Double(int) == number.doubleValue,
              number.int64Value == int else {
            throw ServerError.badRequest("\(place): `\(name)` must be an integer", code: "bad_key_type")
        }
        return .int(number.int64Value)
    }

    func entityRow(_ object: [String: Any], reader: OnlineFeatureReader, where place: String) throws -> [String: KeyPart] {
        let types = reader.keyTypes
        var row: [String: KeyPart] = [:]
        for (name, value) in object {
            guard let type = types[name] else {
                throw ServerError.badRequest("\(place): `\(name)` is not a join key of the requested features (keys: \(reader.keyNames.joined(separator: ", ")))", code: "unknown_key")
            }
            if let part = try Self.keyPart(value, type: type, name: name, where: place) { row[name] = part }
        }
        return row
    }

    static func feastStatus(_ status: FeatureStatus) -> String {
        switch status {
        case .present: return "PRESENT"
        // Feast has no status for "changed, not materialized yet"; its clients treat NOT_FOUND as "no value".
        case .notFound, .notMaterialized: return "NOT_FOUND"
        case .expired: return "OUTSIDE_MAX_AGE"
        }
    }

    static func writeJSONScalar(_ value: Any, _ json: inout JSONWriter) {
        if value is NSNull { json.null() } else if let text = value as? String { json.string(text) } else if let number = value as? NSNumber {
            if let int = Int64(exactly: number.doubleValue) { json.int(int) } else { json.double(number.doubleValue) }
        } else { json.null() }
    }

    /// Offers sampled rows to the feature log without waiting (dropped and counted when the queue is full).
    func logIfSampled(service: String?, reader: OnlineFeatureReader, rows: [[String: KeyPart]], values: [[OnlineFeatureValue]], at now: Int64) {
        guard let service, let rate = reader.loggingSampleRate, rate > 0 else { return }
        for record in FeatureStore.logRecords(reader, service: service, rows: rows, values: values, at: now, rate: rate) { featureLog.offer(record) }
    }
}
