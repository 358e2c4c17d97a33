import Yams

/// Turns the YAML texts of a project's `featuresets/` folder into `ProjectDefinitions`, reporting every problem at once.
///
/// ```swift
/// let loaded = try DefinitionLoader.load([(path: "featuresets/drivers.yaml", text: yaml)]).get()
/// ```
public enum DefinitionLoader {
    /// The result of loading: the definitions and where each was written.
    public struct Loaded: Sendable {
        public var definitions: ProjectDefinitions
        public var locations: DefinitionLocations
    }

    /// Parses every file; on any problem returns all diagnostics, sorted by file and line.
    public static func load(_ files: [(path: String, text: String)]) -> Result<Loaded, DefinitionErrors> {
        var definitions = ProjectDefinitions()
        var locations = DefinitionLocations()
        var diagnostics: [Diagnostic] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            var reader = YAMLReader(file: file.path)
            readFile(file.text, &reader, &definitions, &locations)
            diagnostics += reader.diagnostics
        }
        diagnostics += duplicates(definitions, locations)
        definitions.entities.sort { $0.name < $1.name }
        definitions.sources.sort { $0.name < $1.name }
        definitions.views.sort { $0.name < $1.name }
        definitions.services.sort { $0.name < $1.name }
        let loaded = Loaded(definitions: definitions, locations: locations)
        diagnostics += ProjectValidator.validate(loaded)
        return diagnostics.isEmpty ? .success(loaded) : .failure(DefinitionErrors(diagnostics))
    }

    static func readFile(_ text: String, _ reader: inout YAMLReader, _ definitions: inout ProjectDefinitions, _ locations: inout DefinitionLocations) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            reader.diagnostics.append(yamlSyntaxDiagnostic(error, file: reader.file))
            return
        } catch {
            reader.error("cannot read YAML: \(error)", nil, nil)
            return
        }
        guard let root else { return }
        let sections = DefinitionKind.allCases.map(\.yamlSection)
        guard let top = reader.fields(root, allowed: sections, context: "top level") else { return }
        for kind in DefinitionKind.allCases {
            guard let node = top[kind.yamlSection] else { continue }
            guard let items = node.sequence else {
                reader.error("`\(kind.yamlSection)` must be a list of \(kind.displayName)s (each item starts with `- name: …`)", node, nil)
                continue
            }
            for item in items {
                let name = item.mapping?["name"]?.scalar?.string ?? "?"
                locations.byPath["\(kind.rawValue)/\(name)"] = reader.location(item)
                for (key, value) in item.mapping ?? [:] {
                    if let field = key.scalar?.string { locations.byPath["\(kind.rawValue)/\(name)/\(field)"] = reader.location(value) }
                }
                switch kind {
                case .entity: if let e = readEntity(item, &reader) { definitions.entities.append(e) }
                case .source: if let s = readSource(item, &reader) { definitions.sources.append(s) }
                case .view: if let v = readView(item, &reader, &locations) { definitions.views.append(v) }
                case .service: if let s = readService(item, &reader) { definitions.services.append(s) }
                }
            }
        }
    }

    static func yamlSyntaxDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Diagnostic("YAML syntax error: \(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column),
                              fix: "check indentation and quoting on this line (quote text containing `:` or `#`)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic("duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in one mapping",
                              at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                              fix: "keep one of the entries; each name may appear once")
        default:
            return Diagnostic("YAML syntax error: \(error)", at: SourceLocation(file: file, line: 0, column: 0))
        }
    }

    static func duplicates(_ definitions: ProjectDefinitions, _ locations: DefinitionLocations) -> [Diagnostic] {
        var result: [Diagnostic] = []
        func check(_ kind: DefinitionKind, _ names: [String]) {
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted {
                result.append(Diagnostic("\(kind.displayName) `\(name)` is defined more than once", at: locations.location(kind, name),
                                         fix: "rename one of them or delete the copy"))
            }
        }
        check(.entity, definitions.entities.map(\.name))
        check(.source, definitions.sources.map(\.name))
        check(.view, definitions.views.map(\.name))
        check(.service, definitions.services.map(\.name))
        return result
    }

    static func readEntity(_ node: Node, _ reader: inout YAMLReader) -> EntityDefinition? {
        let context = "entity"
        guard let fields = reader.fields(node, allowed: ["name", "join_keys", "description", "owner", "tags"], context: context),
              let name = reader.requiredString(fields, "name", in: node, context: context), reader.checkName(name, fields["name"], context: context)
        else { return nil }
        let ctx = "entity `\(name)`"
        var keys: [JoinKey] = []
        if let keysNode = fields["join_keys"] {
            keys = readTypedColumns(keysNode, &reader, context: "\(ctx), field `join_keys`").map { JoinKey(name: $0.name, type: $0.type) }
            for key in keys where !key.type.isKeyType {
                reader.error("join key `\(key.name)` has type \(key.type); join keys must be int64 or string", keysNode, ctx)
            }
            if keys.isEmpty, keysNode.mapping != nil { reader.error("an entity needs at least one join key", keysNode, ctx) }
        } else {
            reader.error("missing required field `join_keys`", node, ctx, fix: "add `join_keys: {driver_id: int64}`")
        }
        return EntityDefinition(name: name, joinKeys: keys, description: reader.optionalString(fields, "description", context: ctx),
                                owner: reader.optionalString(fields, "owner", context: ctx), tags: reader.stringList(fields, "tags", context: ctx))
    }

    /// Reads `{column: type, …}` in written order.
    static func readTypedColumns(_ node: Node, _ reader: inout YAMLReader, context: String) -> [ColumnDefinition] {
        guard let mapping = node.mapping else {
            reader.error("expected a mapping of column names to types, such as {driver_id: int64}", node, context)
            return []
        }
        var result: [ColumnDefinition] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, reader.checkName(name, keyNode, context: context) else { continue }
            guard let typeName = valueNode.scalar?.string, let type = ValueType.named(typeName) else {
                reader.error("column `\(name)` has unknown type \(reader.describe(valueNode))", valueNode, context, fix: "use one of \(ValueType.spellings)")
                continue
            }
            result.append(ColumnDefinition(name: name, type: type))
        }
        return result
    }

    static func readSource(_ node: Node, _ reader: inout YAMLReader) -> SourceDefinition? {
        let allowed = ["name", "path", "format", "schema", "timestamp", "created", "id", "expectations", "description", "owner", "tags"]
        guard let fields = reader.fields(node, allowed: allowed, context: "source"),
              let name = reader.requiredString(fields, "name", in: node, context: "source"), reader.checkName(name, fields["name"], context: "source")
        else { return nil }
        let ctx = "source `\(name)`"
        let path = reader.requiredString(fields, "path", in: node, context: ctx) ?? ""
        var format = path.lowercased().hasSuffix(".jsonl") || path.lowercased().hasSuffix(".ndjson") ? SourceFormat.jsonl : .csv
        if let formatNode = fields["format"], let text = reader.string(formatNode, field: "format", context: ctx) {
            if let parsed = SourceFormat(rawValue: text.lowercased()) { format = parsed } else {
                reader.error("unknown format `\(text)`", formatNode, "\(ctx), field `format`", fix: "use `csv` or `jsonl`")
            }
        }
        var columns: [ColumnDefinition] = []
        if let schema = fields["schema"] {
            columns = readTypedColumns(schema, &reader, context: "\(ctx), field `schema`")
        } else {
            reader.error("missing required field `schema`", node, ctx, fix: "add `schema: {driver_id: int64, conv_rate: float64}`")
        }
        var timestamp: TimestampColumn?
        if let node = fields["timestamp"] {
            timestamp = readTimestampColumn(node, &reader, context: "\(ctx), field `timestamp`")
        } else {
            reader.error("missing required field `timestamp`", node, ctx, fix: "add `timestamp: event_timestamp` naming the event-time column")
        }
        let created = fields["created"].flatMap { readTimestampColumn($0, &reader, context: "\(ctx), field `created`") }
        let idColumn = reader.optionalString(fields, "id", context: ctx)
        guard let timestamp else { return nil }
        let expectations = fields["expectations"].map {
            readExpectations($0, schema: columns, timeColumns: [timestamp.column] + (created.map { [$0.column] } ?? []), &reader,
                             context: "\(ctx), field `expectations`")
        }
        return SourceDefinition(name: name, path: path, format: format, columns: columns, timestamp: timestamp, created: created,
                                expectations: expectations, description: reader.optionalString(fields, "description", context: ctx),
                                owner: reader.optionalString(fields, "owner", context: ctx), tags: reader.stringList(fields, "tags", context: ctx),
                                idColumn: idColumn)
    }

    /// `timestamp: event_ts` or `timestamp: {column: ts, unit: ms}` or `{column: ts, timezone: UTC}`.
    static func readTimestampColumn(_ node: Node, _ reader: inout YAMLReader, context: String) -> TimestampColumn? {
        if let column = node.scalar?.string {
            guard reader.checkName(column, node, context: context) else { return nil }
            return TimestampColumn(column: column, epochUnit: nil, assumesUTC: false)
        }
        guard let fields = reader.fields(node, allowed: ["column", "unit", "timezone"], context: context),
              let column = reader.requiredString(fields, "column", in: node, context: context), reader.checkName(column, fields["column"], context: context)
        else { return nil }
        var unit: EpochUnit?
        if let unitNode = fields["unit"], let text = reader.string(unitNode, field: "unit", context: context) {
            unit = EpochUnit(rawValue: text)
            if unit == nil { reader.error("unknown epoch unit `\(text)`", unitNode, context, fix: "use `s`, `ms` or `us`") }
        }
        var assumesUTC = false
        if let zoneNode = fields["timezone"], let zone = reader.string(zoneNode, field: "timezone", context: context) {
            if zone.uppercased() == "UTC" { assumesUTC = true } else {
                reader.error("unsupported timezone `\(zone)`", zoneNode, context, fix: "only `UTC` can be declared; write offsets in the data instead")
            }
        }
        return TimestampColumn(column: column, epochUnit: unit, assumesUTC: assumesUTC)
    }

    static func readService(_ node: Node, _ reader: inout YAMLReader) -> FeatureServiceDefinition? {
        let allowed = ["name", "features", "logging", "monitoring", "description", "owner", "tags"]
        guard let fields = reader.fields(node, allowed: allowed, context: "feature service"),
              let name = reader.requiredString(fields, "name", in: node, context: "feature service"),
              reader.checkName(name, fields["name"], context: "feature service")
        else { return nil }
        let ctx = "feature service `\(name)`"
        var references: [FeatureReference] = []
        if fields["features"] == nil { reader.error("missing required field `features`", node, ctx, fix: "add `features: [driver_stats:*]`") }
        for text in reader.stringList(fields, "features", context: ctx) {
            guard let reference = FeatureReference.parse(text) else {
                reader.error("`\(text)` is not a feature reference", fields["features"], "\(ctx), field `features`", fix: "write `view:feature` or `view:*`")
                continue
            }
            references.append(reference)
        }
        var sampleRate: Double?
        if let logging = fields["logging"], let loggingFields = reader.fields(logging, allowed: ["sample_rate"], context: "\(ctx), field `logging`") {
            if let rateNode = loggingFields["sample_rate"], let text = reader.string(rateNode, field: "sample_rate", context: ctx) {
                if let rate = Double(text), rate >= 0, rate <= 1 { sampleRate = rate } else {
                    reader.error("sample_rate must be a number from 0 to 1, got `\(text)`", rateNode, "\(ctx), field `logging.sample_rate`", fix: "write e.g. `sample_rate: 0.1`")
                }
            }
        }
        let monitoring = fields["monitoring"].flatMap { readMonitoring($0, features: references, &reader, context: "\(ctx), field `monitoring`") }
        return FeatureServiceDefinition(name: name, features: references, loggingSampleRate: sampleRate,
                                        description: reader.optionalString(fields, "description", context: ctx),
                                        owner: reader.optionalString(fields, "owner", context: ctx), tags: reader.stringList(fields, "tags", context: ctx),
                                        monitoring: monitoring)
    }
}
