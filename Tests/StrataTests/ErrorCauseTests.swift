// Store errors keep their cause as a value (issue 22, item 6): the message for people names the record and the problem
// in a sentence, the log text (`debugDescription`) carries the whole chain, and web pages never show an error's dump.
import Foundation
import GRDB
@testable import Strata
import StrataCheck
import StrataCore
import StrataOffline
import StrataTestSupport
import StrataUI
import Testing

@Suite struct ErrorCauseTests {
    @Test("a stored manifest that does not decode keeps the decoder's error as its cause, and only the log text shows it")
    func undecodableManifestKeepsItsCause() throws {
        do {
            _ = try TrainingSetManifest.decode(#"{"id": 7}"#, id: "ts-broken")
            Issue.record("a manifest without its fields decoded")
        } catch let error as OfflineStoreError {
            #expect(error.cause is DecodingError, "the cause was flattened: \(String(describing: error.cause))")
            #expect(error.what.hasPrefix("the manifest of training set ts-broken is corrupt: "), "\(error.what)")
            #expect(!error.what.contains("CodingKeys") && !error.what.contains("Swift.DecodingError"), "a dump reached the message: \(error.what)")
            let log = String(reflecting: error)
            #expect(log.hasPrefix(error.description) && log.contains("\n  caused by: ") && log.contains("DecodingError"), "\(log)")
        }
    }

    @Test("an offline store that cannot be opened keeps GRDB's error: its SQLite code decides the fix, and the log has the error itself")
    func databaseErrorIsKept() throws {
        let dir = TemporaryDirectory()
        try dir.write("not-a-database.db", String(repeating: "this is not SQLite\n", count: 200))
        do {
            _ = try OfflineStore(path: dir.file("not-a-database.db").path)
            Issue.record("a text file opened as an offline store")
        } catch {
            let cause = try #require(error.cause as? DatabaseError, "\(String(reflecting: error))")
            #expect(error.sqliteCode == cause.extendedResultCode.rawValue)
            #expect(error.fix?.contains("is damaged") == true, "\(error.fix ?? "")")
            #expect(String(reflecting: error).contains("caused by: "))
        }
    }

    @Test("a stored check report that does not decode is one error, the same for lineage and the web UI, whose page shows no dump")
    func undecodableCheckReport() throws {
        let (_, store) = try VanishingFailureTests.project()
        try store.recordCheckReport(id: "chk-broken", createdAtMicros: 1, report: #"{"id": "chk-broken", "mode": 3}"#)
        #expect {
            _ = try store.checkReports()
        } throws: { error in
            guard case FeatureStoreError.undecodableRecord(let what, let record, let cause) = error else { return false }
            return what == "check report" && record == "chk-broken" && cause is DecodingError
        }
        let page = WebUI(store: store).respond(to: UIRequest(segments: ["parity"], query: [:], showsSignOut: false))
        #expect(page.status == 500)
        #expect(page.body.contains("check report chk-broken is corrupt"), "\(page.body)")
        #expect(!page.body.contains("CodingKeys") && !page.body.contains("DecodingError"), "the page shows the error's dump")
        #expect(page.failure is FeatureStoreError, "the server gets the error itself to log")
    }
}
