import StrataCore

/// The trips half of the example project: a trip log with corrections (same `trip_id`, created later) and a view of
/// windowed aggregations over it, used by a service beside the driver statistics' row features.
extension ExampleProject {
    public static let tripDefinitions = """
    # Trips of the example drivers. Each row is one version of a trip: a later row with the same trip_id corrects it,
    # and windowed aggregations count only the best version known at each instant.
    sources:
      - name: trips_source
        path: featuresets/data/trips.csv
        format: csv
        timestamp: event_timestamp
        created: created
        id: trip_id
        schema:
          trip_id: string
          driver_id: int64
          rider_id: string
          fare: float64
          status: string
        description: One row per trip, and per correction of a trip, from the dispatch log.
        owner: data-platform@example.com

    feature_views:
      - name: driver_trips
        entities: [driver]
        source: trips_source
        description: Trip counts, fares and riders per driver over sliding windows.
        owner: mobility-ml@example.com
        tags: [core, windows]
        aggregations:
          trips_1h: {function: count, window: 1h}
          trips_24h: {function: count, window: 24h}
          completed_fare_24h: {function: sum, column: fare, window: 24h, where: "status = 'completed'"}
          avg_fare_7d: {function: avg, column: fare, window: 7d, where: "status = 'completed'"}
          riders_7d: {function: approx_count_distinct, column: rider_id, window: 7d}

    feature_services:
      - name: driver_activity_windows
        description: The driver-ranking model with trip activity windows beside the hourly statistics.
        owner: mobility-ml@example.com
        features: [driver_stats:conv_rate, driver_stats:acc_rate, "driver_trips:*"]

    """

    /// 40 drivers × 48 hours of trips: 0–2 an hour, 15% cancelled, a few without a fare, 3% corrected later
    /// (a new fare or a refund, known hours afterwards).
    static func trips() -> String {
        var rng = SeededGenerator(seed: 20_260_302)
        var lines = ["trip_id,driver_id,rider_id,fare,status,event_timestamp,created"]
        var tripNumber = 0
        for driver in 1001...1040 {
            for h in 0..<48 {
                for _ in 0..<Int.random(in: 0...2, using: &rng) {
                    tripNumber += 1
                    let id = "T\(100_000 + tripNumber)"
                    let rider = "R\(100 + Int.random(in: 0..<60, using: &rng))"
                    let event = start + Int64(h) * hour + Int64.random(in: 0..<3_600, using: &rng) * 1_000_000
                    let created = event + Int64.random(in: 1...300, using: &rng) * 1_000_000
                    let cents = Int.random(in: 500...6_000, using: &rng)
                    let fare = Int.random(in: 0..<40, using: &rng) == 0 ? "" : money(cents)
                    let status = Int.random(in: 0..<100, using: &rng) < 15 ? "cancelled" : "completed"
                    lines.append("\(id),\(driver),\(rider),\(fare),\(status),\(Timestamp.format(event)),\(Timestamp.format(created))")
                    if Int.random(in: 0..<100, using: &rng) < 3 {
                        // A correction known hours later: a different fare, or the trip refunded.
                        let late = created + Int64.random(in: 2...30, using: &rng) * hour
                        let refunded = Bool.random(using: &rng)
                        let newFare = refunded ? fare : money(cents + 250)
                        lines.append("\(id),\(driver),\(rider),\(newFare),\(refunded ? "refunded" : status),\(Timestamp.format(event)),\(Timestamp.format(late))")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Cents as a decimal amount: 1205 → `12.05`.
    static func money(_ cents: Int) -> String {
        "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
    }
}
