import StrataCore

/// The OpenLineage facets Strata emits. Each carries `_producer` and the `_schemaURL` of the exact facet schema version
/// it follows (the same versions openlineage-python's models declare; the schemas are test fixtures in
/// `Tests/Fixtures/openlineage`).
enum Facet {
    /// Identifies Strata and its version as the producer of every event and facet.
    static let producer = "https://strata.example/strata/0.1.0"
    static let engineVersion = "0.1.0"
    static let runEventSchemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    enum Schema: String {
        case schema = "1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
        case dataSource = "1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet"
        case documentation = "1-1-0/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet"
        case columnLineage = "1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
        case outputStatistics = "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet"
        case inputStatistics = "1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet"
        case dataQualityAssertions = "1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet"
        case errorMessage = "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet"
        case processingEngine = "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet"
        case jobType = "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"

        var url: String { "https://openlineage.io/spec/facets/" + rawValue }
    }

    static func make(_ schema: Schema, _ fields: [(String, JSONValue)]) -> JSONValue {
        .object([("_producer", .string(producer)), ("_schemaURL", .string(schema.url))] + fields)
    }

    /// One column of a `schema` facet.
    struct Field {
        var name: String
        var type: String?
        var description: String?
    }

    static func schema(_ fields: [Field]) -> JSONValue {
        make(.schema, [("fields", .array(fields.map { field in
            var members: [(String, JSONValue)] = [("name", .string(field.name))]
            if let type = field.type { members.append(("type", .string(type))) }
            if let description = field.description { members.append(("description", .string(description))) }
            return .object(members)
        }))])
    }

    static func dataSource(name: String, uri: String) -> JSONValue {
        make(.dataSource, [("name", .string(name)), ("uri", .string(uri))])
    }

    static func documentation(_ text: String) -> JSONValue {
        make(.documentation, [("description", .string(text))])
    }

    /// One input field of a column-lineage entry: a column of some dataset and how it is used.
    struct InputField {
        var dataset: DatasetName
        var field: String
        var transformations: [ColumnTransformation]
    }

    /// `fields`: output column → its input fields; `dataset`: inputs that shape the whole output (joins, filters, sorts).
    static func columnLineage(_ fields: [(String, [InputField])], dataset: [InputField] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [("fields", .object(fields.map { output, inputs in
            (output, .object([("inputFields", .array(inputs.map(inputField)))]))
        }))]
        if !dataset.isEmpty { members.append(("dataset", .array(dataset.map(inputField)))) }
        return make(.columnLineage, members)
    }

    private static func inputField(_ input: InputField) -> JSONValue {
        .object([("namespace", .string(input.dataset.namespace)), ("name", .string(input.dataset.name)), ("field", .string(input.field)),
                 ("transformations", .array(input.transformations.map { t in
                     var members: [(String, JSONValue)] = [("type", .string(t.kind.rawValue)), ("subtype", .string(t.subtype.rawValue))]
                     if let description = t.description { members.append(("description", .string(description))) }
                     members.append(("masking", .bool(false)))
                     return .object(members)
                 }))])
    }

    static func outputStatistics(rowCount: Int, size: Int64? = nil) -> JSONValue {
        make(.outputStatistics, [("rowCount", .int(Int64(rowCount)))] + (size.map { [("size", .int($0))] } ?? []))
    }

    static func inputStatistics(rowCount: Int, size: Int64? = nil) -> JSONValue {
        make(.inputStatistics, [("rowCount", .int(Int64(rowCount)))] + (size.map { [("size", .int($0))] } ?? []))
    }

    /// A check's verdict per column.
    struct Assertion {
        var assertion: String
        var isSuccess: Bool
        var column: String
        var expected: String?
        var actual: String
    }

    static func dataQualityAssertions(_ assertions: [Assertion]) -> JSONValue {
        make(.dataQualityAssertions, [("assertions", .array(assertions.map { a in
            var members: [(String, JSONValue)] = [("assertion", .string(a.assertion)), ("success", .bool(a.isSuccess)), ("column", .string(a.column))]
            if let expected = a.expected { members.append(("expected", .string(expected))) }
            members.append(("actual", .string(a.actual)))
            return .object(members)
        }))])
    }

    static func errorMessage(_ message: String) -> JSONValue {
        make(.errorMessage, [("message", .string(message)), ("programmingLanguage", .string("SWIFT"))])
    }

    static func processingEngine() -> JSONValue {
        make(.processingEngine, [("version", .string(engineVersion)), ("name", .string("Strata")), ("openlineageAdapterVersion", .string(engineVersion))])
    }

    static func jobType(_ kind: OpenLineageJobKind) -> JSONValue {
        make(.jobType, [("processingType", .string("BATCH")), ("integration", .string("STRATA")), ("jobType", .string(kind.rawValue.uppercased()))])
    }
}
