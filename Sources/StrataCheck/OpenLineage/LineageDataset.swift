import Strata
import StrataCore
import StrataOffline

/// One dataset of a run: facets every event carries, and statistics only a finished run can give.
struct LineageDataset: Sendable {
    var name: DatasetName
    var facets: [(String, JSONValue)] = []
    /// Sent when the run has ended (COMPLETE or FAIL): what it read, and a check's verdicts.
    var inputFacets: [(String, JSONValue)] = []
    /// Sent with COMPLETE only: a failed run wrote nothing, and a starting one has not yet.
    var outputFacets: [(String, JSONValue)] = []

    func json(asOutput: Bool, eventType: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("namespace", .string(name.namespace)), ("name", .string(name.name))]
        if !facets.isEmpty { members.append(("facets", .object(facets))) }
        if asOutput {
            if eventType == "COMPLETE", !outputFacets.isEmpty { members.append(("outputFacets", .object(outputFacets))) }
        } else if eventType != "START", !inputFacets.isEmpty {
            members.append(("inputFacets", .object(inputFacets)))
        }
        return .object(members)
    }
}

extension Facet.Field {
    /// A stored column as the `schema` facet lists it.
    init(_ column: StoredColumn) {
        self.init(name: column.name, type: column.type, description: column.description)
    }
}
