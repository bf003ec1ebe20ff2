import Metrics
import RouterCore

/// A route's counters over some reports, as both metric outputs name them: CloudWatch EMF
/// (Lambda) and swift-metrics (the daemon's Prometheus `/metrics`).
struct RouteCounters {
    /// (name, value) in a fixed order: Delivered, Gone, Pruned, Throttled, Forbidden, Failed,
    /// Rejected, Invalid, Skipped.
    let values: [(name: String, value: Int)]

    init(_ reports: [DeliveryReport]) {
        func sum(_ field: (DeliveryReport) -> Int) -> Int { reports.reduce(0) { $0 + field($1) } }
        values = [
            ("Delivered", sum(\.delivered)), ("Gone", sum(\.gone)), ("Pruned", sum(\.pruned)), ("Throttled", sum(\.throttled)),
            ("Forbidden", sum(\.forbidden)), ("Failed", sum(\.failed)), ("Rejected", sum(\.rejected)),
            ("Invalid", reports.filter(\.isInvalid).count), ("Skipped", sum(\.skipped)),
        ]
    }

    /// Adds one route run to the swift-metrics counters (`notification_router_<name>_total`,
    /// dimension `route`) and the fan-out duration timer; a no-op without a metrics backend.
    static func record(_ run: BatchDelivery.RouteRun) {
        let dimensions = [("route", run.route)]
        for (name, value) in RouteCounters(run.reports).values where value > 0 {
            Counter(label: "notification_router_\(name.lowercased())_total", dimensions: dimensions).increment(by: value)
        }
        Timer(label: "notification_router_fanout_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds).record(duration: run.duration)
    }
}
