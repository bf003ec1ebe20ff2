import Metrics

/// A route's counts over some reports, named as both metric outputs name them: CloudWatch
/// EMF (Lambda) and swift-metrics (the daemon's Prometheus `/metrics`).
public struct RouteCounters: Sendable {
    /// The names, in the order ``values`` lists them.
    public static let names = [
        "Delivered", "Gone", "Pruned", "Throttled", "Forbidden", "Failed", "Rejected", "Invalid", "Skipped",
        "TasksCreated", "TasksContinued", "TasksFinished",
    ]

    /// (name, value) in the order of ``names``.
    public let values: [(name: String, value: Int)]

    public init(_ reports: [DeliveryReport]) {
        func sum(_ field: (DeliveryReport) -> Int) -> Int { reports.reduce(0) { $0 + field($1) } }
        let counts = [
            sum(\.delivered), sum(\.gone), sum(\.pruned), sum(\.throttled), sum(\.forbidden), sum(\.failed), sum(\.rejected),
            reports.filter(\.isInvalid).count, sum(\.skipped), sum(\.tasksCreated), sum(\.tasksContinued), sum(\.tasksFinished),
        ]
        values = Array(zip(Self.names, counts))
    }
}

/// One route's swift-metrics: a counter per ``RouteCounters`` name in snake case
/// (`notification_router_delivered_total`, `notification_router_tasks_created_total`, dimension `route`) and the fan-out duration timer
/// (`notification_router_fanout_duration_seconds`), made once when the route is built.
struct RouteMetrics: Sendable {
    let counters: [Counter]
    let duration: Timer

    init(route: String, factory: any MetricsFactory) {
        let dimensions = [("route", route)]
        counters = RouteCounters.names.map { name in
            Counter(label: "notification_router_\(Self.snakeCase(name))_total", dimensions: dimensions, factory: factory)
        }
        duration = Timer(label: "notification_router_fanout_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
    }

    /// `TasksCreated` → `tasks_created`.
    static func snakeCase(_ name: String) -> String {
        name.enumerated().map { index, character in
            character.isUppercase ? (index > 0 ? "_" : "") + character.lowercased() : String(character)
        }.joined()
    }

    /// Adds one run of the route.
    func record(_ run: BatchDelivery.RouteRun) {
        for (counter, count) in zip(counters, RouteCounters(run.reports).values) where count.value > 0 {
            counter.increment(by: count.value)
        }
        duration.record(duration: run.duration)
    }
}
