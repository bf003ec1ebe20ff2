import FoundationEssentials
import RouterCore

/// CloudWatch Embedded Metric Format: one JSON line per route per invocation, which CloudWatch
/// Logs turns into metrics in the `NotificationRouter` namespace with the dimension `Route`:
/// Delivered, Gone, Pruned, Throttled, Forbidden, Failed, Rejected, Invalid, Skipped (Count) and
/// FanOutDuration (Milliseconds).
public enum EmbeddedMetrics {
    public static let namespace = "NotificationRouter"

    /// The line for one route's reports of one invocation.
    public static func line(route: String, reports: [DeliveryReport], duration: Duration, timestamp: Date = Date()) -> String {
        let counts = RouteCounters(reports).values
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        let metrics: [JSONValue] = counts.map { ["Name": .string($0.name), "Unit": "Count"] } + [["Name": "FanOutDuration", "Unit": "Milliseconds"]]
        var object: [String: JSONValue] = [
            "_aws": [
                "Timestamp": .integer(Int(timestamp.timeIntervalSince1970 * 1000)),
                "CloudWatchMetrics": [["Namespace": .string(namespace), "Dimensions": [["Route"]], "Metrics": .array(metrics)]],
            ],
            "Route": .string(route),
            "FanOutDuration": .number((milliseconds * 1000).rounded() / 1000),
        ]
        for (name, value) in counts { object[name] = .integer(value) }
        return String(decoding: JSONValue.object(object).encoded(), as: UTF8.self)
    }
}
