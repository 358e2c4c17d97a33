// What the Python client relies on in the `strata` binary: `.arrows` output (the server's stream bytes), `--show ID`,
// and `STRATA_ERROR_FORMAT=json` error lines with the code and status the server answers with.
import Foundation
import StrataColumnar
import StrataCore
import StrataTestSupport
import Testing

@Suite struct CLIHistoricalStreamTests {
    @Test("an .arrows training set has the .arrow file's cells, --show prints its manifest, and it reproduces byte for byte")
    func arrowStreamOutput() throws {
        let dir = try CLIColumnarTests().project()
        let base = ["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--include-status", "--out"]
        let streamed = try CLIRunner.run(base + ["train.arrows", "--json"], in: dir.path)
        #expect(streamed.exitCode == 0, "\(streamed.stderr)")
        #expect(try CLIRunner.run(base + ["train.arrow"], in: dir.path).exitCode == 0)
        let columns = CLIColumnarTests()
        let (streamSchema, streamRows) = try columns.read(URL(fileURLWithPath: dir.path + "/train.arrows"))
        let (fileSchema, fileRows) = try columns.read(URL(fileURLWithPath: dir.path + "/train.arrow"))
        #expect(streamSchema == fileSchema)
        #expect(streamRows == fileRows)

        let id = try #require((try JSONSerialization.jsonObject(with: Data(streamed.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let shown = try CLIRunner.run(["historical", "--show", id, "--json"], in: dir.path)
        let manifest = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect(manifest?["id"] as? String == id)
        #expect((manifest?["output"] as? [String: Any])?["format"] as? String == "arrow_stream")
        let text = try CLIRunner.run(["historical", "--show", id], in: dir.path)
        #expect(text.stdout.hasPrefix("training set \(id): "))

        let again = try CLIRunner.run(["historical", "--reproduce", id, "--out", "again.arrows"], in: dir.path)
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/again.arrows")) == Data(contentsOf: URL(fileURLWithPath: dir.path + "/train.arrows")))
    }

    @Test("with STRATA_ERROR_FORMAT=json an error is one JSON line with the server's code and status", arguments: [
        (["historical", "--entities", "spine.csv", "--service", "nope", "--out", "x.arrow"], "unknown_object", 404),
        (["historical", "--show", "ts-000000000000"], "unknown_training_set", 404),
        (["historical", "--entities", "missing.csv", "--features", "driver_trips:*", "--out", "x.arrow"], "bad_spine", 400),
    ])
    func jsonErrors(arguments: [String], code: String, status: Int) throws {
        let dir = try CLIColumnarTests().project()
        let result = try CLIRunner.run(arguments, in: dir.path, environment: ["STRATA_ERROR_FORMAT": "json"])
        #expect(result.exitCode == 1)
        let line = try #require(result.stderr.split(separator: "\n").last)
        let error = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == code, "\(result.stderr)")
        #expect(error?["status"] as? Int == status)
        #expect((error?["message"] as? String)?.isEmpty == false)
        let plain = try CLIRunner.run(arguments, in: dir.path)
        #expect(plain.stderr.hasPrefix("error: "))
    }
}
