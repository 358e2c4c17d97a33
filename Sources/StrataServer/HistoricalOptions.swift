import Hummingbird
import HummingbirdCore
import Strata
import StrataColumnar
import StrataCore
import StrataOffline

/// The options of `POST /v1/historical`: from the query string, and for a JSON body also from its fields (an option
/// given both ways must have the same value). Names: `service` or `features` (`view:feature,view:*`, or a JSON list),
/// `corrections` (`known`, `latest`), `as_of` (RFC 3339), `strict`, `timestamp_column`, `include_status`, `bare_names`.
struct HistoricalOptions {
    static let columnarMediaTypes: Set<String> = [
        "application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.file", "application/vnd.apache.parquet", "application/octet-stream",
    ]
    static let names = ["service", "features", "corrections", "as_of", "strict", "timestamp_column", "include_status", "bare_names"]

    /// Option name → its text as given (a JSON list of features is joined with commas, booleans become `true`/`false`).
    private var values: [String: String] = [:]

    init(query: FlatDictionary<Substring, Substring>) throws {
        for name in Self.names {
            let given = query[values: Substring(name)]
            guard given.count <= 1 || name == "features" else { throw ServerError.badRequest("`\(name)` is given more than once", code: "bad_option") }
            if !given.isEmpty { values[name] = given.map(String.init).joined(separator: ",") }
        }
    }

    /// Adds the options a JSON body carries as fields.
    mutating func merge(_ object: JSONTree) throws {
        for name in Self.names {
            guard let value = object[name], !value.isNull else { continue }
            let text: String
            switch value {
            case .string(let s): text = s
            case .bool(let b): text = b ? "true" : "false"
            case .array(let items) where name == "features":
                let names = items.compactMap(\.string)
                guard names.count == items.count else {
                    throw ServerError.badRequest("`features` must be a list of `view:feature` strings", code: "bad_option")
                }
                text = names.joined(separator: ",")
            default: throw ServerError.badRequest("`\(name)` must be a \(Self.isFlag(name) ? "boolean" : "string")", code: "bad_option")
            }
            if let existing = values[name], existing != text {
                throw ServerError.badRequest("`\(name)` is `\(existing)` in the query and `\(text)` in the body; give it once", code: "bad_option")
            }
            values[name] = text
        }
    }

    var timestampColumn: String { values["timestamp_column"] ?? "event_timestamp" }

    /// The library request for `spine`.
    func request(spine: SpineBytes) throws -> HistoricalRequest {
        let selection: FeatureSelection
        switch (values["service"], values["features"]) {
        case (let service?, nil): selection = .service(service)
        case (nil, let features?): selection = try FeatureSelection.parseList(features)
        default: throw ServerError.badRequest("send exactly one of `service` or `features`", code: "bad_selection")
        }
        var mode: CorrectionsMode
        switch values["corrections"] ?? "known" {
        case "known": mode = .known
        case "latest": mode = .latest
        case let other: throw ServerError.badRequest("`corrections` must be known or latest, not `\(other)`", code: "bad_option")
        }
        if let asOf = values["as_of"] {
            guard values["corrections"] != "latest" else {
                throw ServerError.badRequest("`as_of` sees the store as it stood then; it cannot be combined with `corrections=latest`", code: "bad_option")
            }
            switch Timestamp.parse(asOf) {
            case .success(let t): mode = .asOf(t)
            case .failure(let failure): throw ServerError.badRequest("`as_of`: \(failure)", code: "bad_time")
            }
        }
        var request = HistoricalRequest(spinePath: "", features: selection, corrections: mode, isStrict: try flag("strict"),
                                        timestampColumn: timestampColumn, includesStatus: try flag("include_status"),
                                        usesBareNames: try flag("bare_names"), outputPath: "")
        request.spineBytes = spine
        return request
    }

    private static func isFlag(_ name: String) -> Bool { ["strict", "include_status", "bare_names"].contains(name) }

    private func flag(_ name: String) throws -> Bool {
        switch values[name]?.lowercased() {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        case let other?: throw ServerError.badRequest("`\(name)` must be true or false, not `\(other)`", code: "bad_option")
        }
    }
}

/// A JSON spine, `{"column": [values…]}`, turned into Arrow IPC stream bytes with typed columns, so it is read, kept
/// and reproduced like an Arrow body. Integers give `int64`, numbers with a fraction `double`, booleans `bool`, text
/// `string`; the time column's text is parsed as RFC 3339 into a timestamp. Column order follows `spine_columns` when
/// given, else the names sorted (JSON objects carry no order).
enum JSONSpine {
    static func arrowBytes(_ value: JSONTree?, order: JSONTree?, timestampColumn: String, rowsMax: Int) throws -> SpineBytes {
        guard let object = value, let members = object.members, !members.isEmpty else {
            throw ServerError.badRequest("`spine` must be an object of column → list of values", code: "bad_spine")
        }
        let names = try columnOrder(order, members.map(\.name))
        var lists: [[JSONTree]] = []
        for name in names {
            guard let list = object[name]?.array else { throw ServerError.badRequest("`spine.\(name)` must be a list", code: "bad_spine") }
            lists.append(list)
        }
        let count = lists[0].count
        guard lists.allSatisfy({ $0.count == count }) else {
            throw ServerError.badRequest("every `spine` column needs the same number of values", code: "bad_spine")
        }
        guard count <= rowsMax else {
            throw ServerError(status: .contentTooLarge, code: "spine_too_large",
                              message: "the spine has \(count) rows, more than the limit of \(rowsMax); split it, or start the server with a larger --spine-rows-max")
        }
        var fields: [ColumnarField] = []
        var columns: [ColumnarColumn] = []
        for (name, list) in zip(names, lists) {
            var column = try typedColumn(name, list, isTime: name == timestampColumn)
            fields.append(ColumnarField(name: name, type: column.type))
            columns.append(column.finish())
        }
        var writer = try ArrowWriter(schema: ColumnarSchema(fields), format: .stream)
        let bytes = try writer.write(ColumnarBatch(rowCount: count, columns: columns)) + writer.finish()
        return SpineBytes(bytes, format: .arrow, displayName: "the request's `spine`", rowsMax: rowsMax)
    }

    private static func columnOrder(_ order: JSONTree?, _ keys: [String]) throws -> [String] {
        guard let order, !order.isNull else { return keys.sorted() }
        guard let items = order.array, case let names = items.compactMap(\.string), names.count == items.count, Set(names) == Set(keys),
              names.count == keys.count else {
            throw ServerError.badRequest("`spine_columns` must list every column of `spine` once", code: "bad_spine")
        }
        return names
    }

    /// One column's values, typed by what they hold; mixed kinds are refused with the column named.
    private static func typedColumn(_ name: String, _ list: [JSONTree], isTime: Bool) throws -> ColumnarColumnBuilder {
        let scalars = list.map { JSONInput.scalar($0, integralDecimals: false) }
        var type: ValueType = .string
        if isTime {
            type = .timestamp
        } else if scalars.contains(where: { if case .double = $0 { return true } else { return false } }) {
            type = .float64
        } else if let first = scalars.first(where: { if case .null = $0 { return false } else { return true } }) {
            switch first {
            case .int: type = .int64
            case .bool: type = .bool
            default: type = .string
            }
        }
        var builder = ColumnarColumnBuilder(type: type, capacity: scalars.count)
        for (row, scalar) in scalars.enumerated() {
            switch (scalar, type) {
            case (.null, _): builder.appendNull()
            case (.string(let text), .timestamp):
                switch Timestamp.parse(text) {
                case .success(let t): try builder.append(.int(t))
                case .failure(let failure): throw ServerError.badRequest("`spine.\(name)`, row \(row + 1): \(failure)", code: "bad_spine")
                }
            case (.int(let v), .int64), (.int(let v), .float64): try builder.append(.int(v))
            case (.double(let v), .float64): try builder.append(.float(v))
            case (.bool(let v), .bool): try builder.append(.bool(v))
            case (.string(let v), .string): try builder.append(.string(v))
            default:
                let expected = type == .timestamp ? "RFC 3339 text such as 2026-03-01T12:00:00Z" : "values of one kind (\(type))"
                throw ServerError.badRequest("`spine.\(name)`, row \(row + 1): expected \(expected)", code: "bad_spine")
            }
        }
        return builder
    }
}
