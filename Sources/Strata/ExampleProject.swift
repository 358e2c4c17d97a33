import StrataCore

/// The example project `strata init` writes: driver statistics with late corrections, nulls, mixed offsets and a few bad rows,
/// and a trip log with corrections for windowed aggregations.
/// Generated from a fixed seed, so every machine gets byte-identical files (the repo's `featuresets/` is this output).
public enum ExampleProject {
    /// The files to write, as paths relative to the project folder and their contents.
    public static func files() -> [(path: String, text: String)] {
        [("featuresets/drivers.yaml", definitions), ("featuresets/data/driver_stats.csv", driverStats()), ("featuresets/data/driver_spine.csv", spine()),
         ("featuresets/trips.yaml", tripDefinitions), ("featuresets/data/trips.csv", trips())]
    }

    public static let definitions = """
    # Example Strata project: hourly driver statistics for a ride-hailing model.
    # Run `strata plan`, `strata apply`, then `strata ingest` from the project folder.
    entities:
      - name: driver
        join_keys: {driver_id: int64}
        description: A ride-hailing driver.
        owner: mobility-ml@example.com
        tags: [mobility]

    sources:
      - name: driver_stats_source
        path: featuresets/data/driver_stats.csv
        format: csv
        timestamp: event_timestamp
        created: created
        schema:
          driver_id: int64
          conv_rate: float64
          acc_rate: float64
          avg_daily_trips: int64
          rating: float64
          city: string
        description: Hourly driver statistics exported by the trips pipeline.
        owner: data-platform@example.com
        # Checked on every ingest and push: a row failing a column rule goes to quarantine (or is kept and counted with
        # `action: warn`); a failing run rule rejects the whole run, which then writes nothing.
        expectations:
          columns:
            driver_id: {not_null: true}
            conv_rate: {between: [0, 1]}
            acc_rate: {between: [0, 1]}
            rating: {between: [1, 5], not_null: {mostly: 0.99, action: warn}}
            city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich]}
          run:
            null_rate: {rating: 0.1}
            mean: {conv_rate: [0.05, 0.95]}

    feature_views:
      - name: driver_stats
        entities: [driver]
        source: driver_stats_source
        ttl: 2h
        description: Hourly driver performance; older than two hours counts as stale.
        owner: mobility-ml@example.com
        tags: [core, hourly]
        features:
          conv_rate: float64
          acc_rate: float64
          avg_daily_trips: int64
          rating: float64
          city: string
          conv_x_acc:
            type: float64
            expr: "conv_rate * acc_rate"
            description: Conversion times acceptance, a rough reliability score.
          is_top_rated:
            type: bool
            expr: "coalesce(rating, 0) >= 4.8"
          trips_band:
            type: string
            expr: "case when avg_daily_trips >= 20 then 'high' when avg_daily_trips >= 10 then 'medium' else 'low' end"
          stat_hour:
            type: int64
            expr: "hour(event_timestamp)"

    feature_services:
      - name: driver_activity
        description: Features for the driver-ranking model.
        owner: mobility-ml@example.com
        features: [driver_stats:conv_rate, driver_stats:acc_rate, driver_stats:avg_daily_trips, driver_stats:conv_x_acc, driver_stats:is_top_rated]
        logging: {sample_rate: 1.0}
        # `strata serve` profiles this service's feature log every 15 minutes and compares it with the offline values
        # of the first day; scores are Prometheus gauges (strata_feature_drift_score). Add
        # `alert: {webhook: http://127.0.0.1:9000/strata-alerts}` to be told about drift and rejected runs.
        monitoring:
          every: 15m
          reference: source:2026-03-01T00:00:00Z..2026-03-02T00:00:00Z
          drift_share: 0.5
          features:
            driver_stats:conv_rate: {method: psi, threshold: 0.2}
      - name: driver_everything
        features: ["driver_stats:*"]

    """

    static let start: Int64 = 1_772_323_200_000_000  // 2026-03-01T00:00:00Z
    static let hour: Int64 = 3_600_000_000
    static let cities = ["Lisbon", "Porto", "São Paulo", "Zürich", "Delhi"]

    /// 40 drivers × 48 hours, with gaps, 2% late corrections, nulls, `+05:30` offsets, six malformed rows and two that
    /// fail the source's expectations.
    static func driverStats() -> String {
        var rng = SeededGenerator(seed: 20_260_301)
        var lines = ["driver_id,event_timestamp,created,conv_rate,acc_rate,avg_daily_trips,rating,city"]
        for driver in 1001...1040 {
            let city = cities[driver % cities.count]
            for h in 0..<48 {
                if Int.random(in: 0..<10, using: &rng) == 0 { continue }  // a gap: some hours have no row
                let event = start + Int64(h) * hour
                let created = event + Int64.random(in: 1...600, using: &rng) * 1_000_000
                let conv = Double(Int.random(in: 0...1000, using: &rng)) / 1000
                let acc = Double(Int.random(in: 0...1000, using: &rng)) / 1000
                let trips = Int.random(in: 0...30, using: &rng)
                let rating = Int.random(in: 0..<30, using: &rng) == 0 ? "" : String(Double(Int.random(in: 35...50, using: &rng)) / 10)
                let useOffset = Int.random(in: 0..<8, using: &rng) == 0
                let eventText = useOffset ? withOffset(event) : Timestamp.format(event)
                lines.append("\(driver),\(eventText),\(Timestamp.format(created)),\(conv),\(acc),\(trips),\(rating),\(city)")
                if Int.random(in: 0..<50, using: &rng) == 0 {
                    // A late correction: same event time, known a day later, different values.
                    let late = created + 86_400_000_000
                    lines.append("\(driver),\(Timestamp.format(event)),\(Timestamp.format(late)),\(min(1, conv + 0.1)),\(acc),\(trips + 1),\(rating),\(city)")
                }
            }
        }
        lines += [
            "1001,2026-03-01T25:00:00Z,2026-03-01T00:05:00Z,0.5,0.5,10,4.5,Lisbon",
            "1002,2026-03-01 05:00:00,2026-03-01T05:05:00Z,0.5,0.5,10,4.5,Porto",
            "1003,2026-03-01T06:00:00Z,2026-03-01T06:05:00Z,high,0.5,10,4.5,Delhi",
            ",2026-03-01T07:00:00Z,2026-03-01T07:05:00Z,0.5,0.5,10,4.5,Lisbon",
            "1004,2026-03-01T08:00:00Z,2026-03-01T08:05:00Z,0.5,0.5",
            "1005,2026-03-01T09:00:00Z,2026-03-01T09:05:00Z,0.5,0.5,ten,4.5,Porto",
            // Well-formed rows that fail the source's expectations (conv_rate and rating out of range).
            "1006,2026-03-01T10:00:00Z,2026-03-01T10:05:00Z,1.7,0.5,10,4.5,Porto",
            "1007,2026-03-01T11:00:00Z,2026-03-01T11:05:00Z,0.5,0.5,10,9.5,Lisbon",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same instant written with a +05:30 offset.
    static func withOffset(_ micros: Int64) -> String {
        let shifted = Timestamp.format(micros + 19_800_000_000)
        return String(shifted.dropLast()) + "+05:30"
    }

    /// A training spine: 200 (driver, time) rows with a label, including duplicates and an unknown driver.
    static func spine() -> String {
        var rng = SeededGenerator(seed: 7)
        var lines = ["driver_id,event_timestamp,label_completed_trip"]
        for _ in 0..<200 {
            let driver = Int.random(in: 1001...1041, using: &rng)
            let at = start + Int64.random(in: 0..<(50 * 3600), using: &rng) * 1_000_000
            lines.append("\(driver),\(Timestamp.format(at)),\(Int.random(in: 0...1, using: &rng))")
        }
        lines.append(lines[1])
        return lines.joined(separator: "\n") + "\n"
    }
}
