import Strata
import StrataCore

extension WebUI {
    /// The lookup form: pick a service, enter its join keys, see the online vector with statuses and event times.
    /// A plain GET form, so it works without JavaScript; it reads the store and writes nothing (no feature log).
    func lookupPage(_ request: UIRequest) throws -> Page {
        let services = try registryIndex().definitions.services.map(\.name)
        let chosen = request.value("service") ?? services.first
        var context: [String: Any] = ["services": services.map { ["name": $0, "selected": $0 == chosen] as [String: Any] }, "hasResult": false]
        guard let chosen else {
            context["error"] = "No feature service is applied: define one in featuresets/ and run `strata apply`."
            return Page(title: "Lookup", section: .lookup, id: "lookup", body: renderer.render("lookup", context))
        }
        guard services.contains(chosen) else {
            throw UIProblem.notFound("No feature service is called `\(chosen)`.", fix: nearMiss(chosen, in: services).map { "did you mean `\($0)`?" })
        }
        let reader: OnlineFeatureReader
        do {
            reader = try store.onlineReader(.service(chosen))
        } catch let error as any StrataError {
            // A service this server cannot serve online (e.g. windowed aggregations) is explained beside the form.
            context["error"] = error.what + (error.fix.map { ". Fix: \($0)" } ?? "")
            return Page(title: "Lookup", section: .lookup, id: "lookup", body: renderer.render("lookup", context))
        }
        context["keys"] = reader.keyNames.map { ["name": $0, "type": reader.keyTypes[$0]?.rawValue ?? "", "value": request.query["key.\($0)"] ?? ""] }
        let given = reader.keyNames.filter { request.value("key.\($0)") != nil }
        guard !given.isEmpty else { return Page(title: "Lookup", section: .lookup, id: "lookup", body: renderer.render("lookup", context)) }
        let codec = KeyCodec(names: reader.keyNames, types: reader.keyTypes)
        var row: [String: KeyPart] = [:]
        var problems: [String] = []
        for name in given {
            do { row[name] = try codec.part(text: request.value("key.\(name)") ?? "", key: name) } catch { problems.append(error.what) }
        }
        if !problems.isEmpty {
            context["error"] = problems.joined(separator: "; ") + "."
        } else {
            let now = currentMicros()
            let values = try reader.get([row], at: now)[0]
            context["hasResult"] = true
            context["result"] = zip(reader.references, values).map { reference, value -> [String: Any] in
                ["feature": reference, "value": value.value.description, "status": value.status.rawValue,
                 "statusClass": value.status == .present ? "good" : "warn", "eventTime": HTML.time(value.eventTs)]
            }
        }
        return Page(title: "Lookup", section: .lookup, id: "lookup", body: renderer.render("lookup", context))
    }
}
