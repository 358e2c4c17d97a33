import Hummingbird
import Strata
import StrataCore

extension FeatureServer {
    /// Feast's `POST /get-online-features`: column-major results, entity key columns first.
    func getOnlineFeatures(_ body: JSONTree) throws -> Response {
        let (reader, serviceName) = try readerFor(body)
        guard let entities = body["entities"]?.members, !entities.isEmpty else {
            throw ServerError.badRequest("`entities` must be an object of key name → list of values, e.g. {\"driver_id\": [1001]}", code: "missing_entities")
        }
        let columns = try entities.sorted { $0.name < $1.name }.map { member -> (String, [JSONTree]) in
            guard let list = member.value.array else { throw ServerError.badRequest("`entities.\(member.name)` must be a list of values", code: "bad_entities") }
            return (member.name, list)
        }
        let keyColumns = reader.keyNames.compactMap { name in columns.first { $0.0 == name } } + columns.filter { !reader.keyNames.contains($0.0) }
        let rows = try entityRows(columns: keyColumns, reader: reader)
        let now = currentMicros()
        let values = try reader.get(rows, at: now)
        metrics.lookedUp(values)
        logIfSampled(service: serviceName, reader: reader, rows: rows, values: values, at: now)
        let fullNames = body["full_feature_names"]?.bool ?? false
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
    func nativeFeatures(_ body: JSONTree) throws -> Response {
        let (reader, serviceName) = try readerFor(body)
        guard let list = body["entities"]?.array, !list.isEmpty, list.allSatisfy({ $0.members != nil }) else {
            throw ServerError.badRequest("`entities` must be a non-empty list of objects, e.g. [{\"driver_id\": 1001}]", code: "missing_entities")
        }
        guard list.count <= configuration.entitiesMax else {
            throw ServerError.badRequest("\(list.count) entity rows exceed the limit of \(configuration.entitiesMax) per request", code: "too_many_entities")
        }
        var now = currentMicros()
        if let at = body["at"]?.string {
            guard case .success(let micros) = Timestamp.parse(at) else { throw ServerError.badRequest("`at` must be an RFC 3339 time with a zone", code: "bad_time") }
            now = micros
        }
        let codec = KeyCodec(names: reader.keyNames, types: reader.keyTypes)
        let rows = try list.enumerated().map { index, object in try codec.row(object, at: "entities[\(index)]") }
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
                        r.key("entity"); r.object { e in for member in (object.members ?? []).sorted(by: { $0.name < $1.name }) { e.key(member.name); Self.writeJSONScalar(member.value, &e) } }
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
    func readerFor(_ body: JSONTree) throws -> (OnlineFeatureReader, String?) {
        let service = (body["feature_service"] ?? body["service"])?.string
        let features = body["features"].flatMap { $0.isNull ? nil : $0 }
        guard (service == nil) != (features == nil) else {
            throw ServerError.badRequest("send exactly one of `feature_service` or `features`", code: "bad_selection")
        }
        if let service { return (try readers.reader(.service(service), store: store), service) }
        guard let items = features?.array, !items.isEmpty, case let list = items.compactMap(\.string), list.count == items.count else {
            throw ServerError.badRequest("`features` must be a non-empty list like [\"driver_stats:conv_rate\"]", code: "bad_selection")
        }
        let references = try list.map { text -> FeatureReference in
            guard let reference = FeatureReference.parse(text) else { throw ServerError.badRequest("`\(text)` is not `view:feature`", code: "bad_selection") }
            return reference
        }
        return (try readers.reader(.references(references), store: store), nil)
    }

    /// Column-major entity lists → one key dictionary per row; null values leave the key out (→ not_found).
    func entityRows(columns: [(String, [JSONTree])], reader: OnlineFeatureReader) throws -> [[String: KeyPart]] {
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
        // Column by column into rows: one key dictionary per row; the codec refuses names that are not join keys.
        let codec = KeyCodec(names: reader.keyNames, types: reader.keyTypes)
        var rows = Array(repeating: [String: KeyPart](minimumCapacity: columns.count), count: count)
        for (name, list) in columns {
            for (row, value) in list.enumerated() {
                if let part = try codec.part(value, key: name, at: "row \(row)") { rows[row][name] = part }
            }
        }
        return rows
    }

    static func feastStatus(_ status: FeatureStatus) -> String {
        switch status {
        case .present: return "PRESENT"
        // Feast has no status for "changed, not materialized yet"; its clients treat NOT_FOUND as "no value".
        case .notFound, .notMaterialized: return "NOT_FOUND"
        case .expired: return "OUTSIDE_MAX_AGE"
        }
    }

    /// Echoes a request's key value: numbers as written, so an int64 key comes back with every digit.
    static func writeJSONScalar(_ value: JSONTree, _ json: inout JSONWriter) {
        switch value {
        case .string(let text): json.string(text)
        case .number(let text): json.raw(text)
        case .bool(let flag): json.bool(flag)
        default: json.null()
        }
    }

    /// Offers sampled rows to the feature log without waiting (dropped and counted when the queue is full).
    func logIfSampled(service: String?, reader: OnlineFeatureReader, rows: [[String: KeyPart]], values: [[OnlineFeatureValue]], at now: Int64) {
        guard let service, let rate = reader.loggingSampleRate, rate > 0 else { return }
        for record in FeatureStore.logRecords(reader, service: service, rows: rows, values: values, at: now, rate: rate) { featureLog.offer(record) }
    }
}
