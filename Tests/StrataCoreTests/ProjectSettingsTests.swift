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

    @Test("the offline engine and its Spark settings are read; the defaults are SQLite, local[2] and .strata/warehouse")
    func offlineEngine() throws {
        let text = """
        offline:
          engine: spark
          spark:
            master: "spark://10.0.0.5:7077"
            warehouse: /data/wh
            python: /opt/venv/bin/python
            conf: {spark.executor.memory: 4g, spark.sql.shuffle.partitions: 64}
        """
        let settings = try ProjectSettings.parse(text, file: "strata.yaml").get()
        #expect(settings.offlineEngine == .spark)
        #expect(settings.spark == SparkSettings(master: "spark://10.0.0.5:7077", warehouse: "/data/wh", python: "/opt/venv/bin/python",
                                                conf: ["spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "64"]))
        #expect(try ProjectSettings.parse("", file: "strata.yaml").get().offlineEngine == .sqlite)
        let bare = try ProjectSettings.parse("offline:\n  engine: spark\n", file: "strata.yaml").get()
        #expect(bare.spark == SparkSettings())
    }

    @Test("a misspelt engine, a Spark Connect master and a conf that is not a mapping are refused with their line",
          arguments: [
              ("offline:\n  engine: sparc\n", "strata.yaml:2:11", "`sqlite` or `spark`"),
              ("offline:\n  engine: spark\n  spark:\n    master: sc://h:15002\n", "strata.yaml:4:13", "Spark Connect"),
              ("offline:\n  spark:\n    conf: [a, b]\n", "strata.yaml:3:11", "must be a mapping"),
              ("offline:\n  spark:\n    mastr: local\n", "strata.yaml:3:5", "did you mean `master`?"),
          ])
    func badOffline(text: String, location: String, message: String) {
        guard case .failure(let errors) = ProjectSettings.parse(text, file: "strata.yaml") else {
            Issue.record("bad settings were accepted: \(text)")
            return
        }
        #expect(errors.description.contains(location), "\(errors.description)")
        #expect(errors.description.contains(message), "\(errors.description)")
    }
}
