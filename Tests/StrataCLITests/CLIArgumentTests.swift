// Every CLI timestamp and key goes through one argument type or codec (issue 22, items 1 and 3): text that does not
// parse is a usage error (exit 64) naming the option, never "now"; int64 keys keep every digit. Runs the built binary.
import Foundation
import StrataTestSupport
import Testing

@Suite struct CLIArgumentTests {
    @Test("a timestamp option given `garbage` exits 64 naming the option, in every command that takes one", arguments: [
        ["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--at", "garbage"],
        ["get", "--features", "driver_trips:trips", "--key", "driver_id=1", "--at", "garbage"],
        ["materialize", "--end", "garbage"],
        ["check", "--snapshot", "--at", "garbage"],
        ["check", "--logs", "--since", "garbage"],
        ["check", "--logs", "--until", "2026-03-01T10:00:00"],
        ["historical", "--entities", "spine.csv", "--features", "driver_trips:*", "--out", "t.csv", "--as-of", "garbage"],
        ["profile", "--logs", "--until", "garbage"],
        ["lineage", "--export", "openlineage", "--since", "garbage"],
    ])
    func garbageTimes(arguments: [String]) throws {
        let dir = try CLIOfflineTests().project()
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        let result = try CLIRunner.run(arguments, in: dir.path)
        let option = arguments[arguments.count - 2]
        #expect(result.exitCode == 64, "\(arguments): \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("The value '\(arguments.last ?? "")' is invalid for '\(option) <time>'"), "\(result.stderr)")
        #expect(result.stderr.contains("RFC 3339"), "the help names the format: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("lineage --at traces at the given instant, not now")
    func lineageAtInstant() throws {
        let dir = try CLIOfflineTests().project()
        #expect(try CLIRunner.run(["ingest"], in: dir.path).exitCode == 0)
        let result = try CLIRunner.run(["lineage", "--view", "driver_trips", "--key", "driver_id=1", "--at", "2026-03-01T10:30:00Z"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("driver_trips v1 for driver_id=1 at 2026-03-01T10:30:00.000000Z: present"), "\(result.stdout)")
    }

    @Test("--key reads int64 keys exactly and refuses booleans, fractions and unknown names with exit 64", arguments: [
        ("driver_id=true", "`driver_id` must be an int64 integer, got `true`"), ("driver_id=2.5", "got 2.5, which has a fractional part"),
        ("rider_id=1", "`rider_id` is not a join key"), ("driver_id", "is not `name=value[,name=value]`"),
        ("driver_id=9223372036854775808", "outside -9223372036854775808…9223372036854775807"),
    ])
    func badKeys(key: String, message: String) throws {
        let dir = try CLIOfflineTests().project()
        let result = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", key], in: dir.path)
        #expect(result.exitCode == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("--key 9007199254740993 finds the row pushed for 9007199254740993, not its Double neighbour 9007199254740992")
    func exactKeys() throws {
        let dir = try CLIOfflineTests().project()
        try dir.write("rows.jsonl", """
        {"driver_id": 9007199254740993, "event_timestamp": "2026-03-01T10:00:00Z", "created": "2026-03-01T10:00:00Z", "trips": 3}
        {"driver_id": 9007199254740992, "event_timestamp": "2026-03-01T10:00:00Z", "created": "2026-03-01T10:00:00Z", "trips": 2}

        """)
        let push = try CLIRunner.run(["push", "driver_trips", "--file", "rows.jsonl"], in: dir.path)
        #expect(push.exitCode == 0, "\(push.stderr)")
        let result = try CLIRunner.run(["get", "--features", "driver_trips:trips", "--key", "driver_id=9007199254740993", "--key", "driver_id=9007199254740992.0",
                                        "--at", "2026-03-01T10:00:00Z"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(4).joined(separator: " ") }
        #expect(rows == ["driver_id=9007199254740993 driver_trips:trips 3 present", "driver_id=9007199254740992.0 driver_trips:trips 2 present"], "\(result.stdout)")
    }
}
