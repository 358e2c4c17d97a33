// The soak test, shortened to 30 seconds: `strata serve` under lookups at concurrency 16, pushes, a materialize
// every 10 s and an apply every 15 s, driven by benchmarks/soak/soak.py (standard library only). `make soak` runs
// the same script for 10 minutes on a release build.
import Foundation
import StrataTestSupport
import Testing

@Suite struct SoakTests {
    @Test("30 seconds of mixed load: no 5xx, no failed client, the server alive, every materialize and apply done")
    func soak() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["STRATA_PYTHON"] ?? "/usr/bin/python3")
        process.arguments = [repo.appendingPathComponent("benchmarks/soak/soak.py").path, "--strata", CLIRunner.executable.path, "--duration", "30",
                             "--materialize-every", "10", "--apply-every", "15", "--json"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: stdout, as: UTF8.self)
        print("soak: \(text)")
        let summary = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any], "\(text)\(String(decoding: stderr, as: UTF8.self))")
        #expect(summary["server_errors"] as? Int == 0)
        #expect(summary["client_failure_count"] as? Int == 0, "\(summary["client_failures"] ?? "")")
        #expect(summary["server_alive"] as? Bool == true)
        #expect(summary["materializes"] as? Int ?? 0 >= 2)
        #expect(summary["applies"] as? Int ?? 0 >= 1)
        #expect((summary["by_route"] as? [String: Int])?["/push"] ?? 0 > 0)
        #expect((summary["by_route"] as? [String: Int])?["/v1/features"] ?? 0 > 100)
        #expect(process.terminationStatus == 0)
    }
}
