// Project settings (strata.yaml): sizes with units, unknown fields and bad values reported with their position.
import Testing
@testable import StrataCore

@Suite struct ProjectSettingsTests {
    @Test("sizes parse with or without a binary unit", arguments: [
        ("65536", 65536), ("64KiB", 65536), ("512MiB", 512 << 20), ("4GiB", 4 << 30), ("1TiB", 1 << 40), ("2 GiB", 2 << 30),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(ProjectSettings.parseSize(text) == bytes)
    }

    @Test("nonsense, zero and negative sizes are refused", arguments: ["lots", "0", "-1", "4GB", "", "1.5GiB"])
    func badSizes(text: String) {
        #expect(ProjectSettings.parseSize(text) == nil)
    }

    @Test("the online map settings are read; problems name the line and column")
    func online() throws {
        let settings = try ProjectSettings.parse("online:\n  map_size: 4GiB\n  map_size_max: 64GiB\n", file: "strata.yaml").get()
        #expect(settings == ProjectSettings(mapSizeBytes: 4 << 30, mapSizeMaxBytes: 64 << 30))
        #expect(try ProjectSettings.parse("", file: "strata.yaml").get() == ProjectSettings())
        guard case .failure(let errors) = ProjectSettings.parse("online:\n  map_sise: 4GiB\n  map_size_max: big\n", file: "strata.yaml") else {
            Issue.record("bad settings were accepted")
            return
        }
        #expect(errors.description.contains("strata.yaml:2:3"))
        #expect(errors.description.contains("did you mean `map_size`?"))
        #expect(errors.description.contains("strata.yaml:3:17"))
    }
}
