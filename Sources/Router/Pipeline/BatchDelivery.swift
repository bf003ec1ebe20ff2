import Logging

/// The one path from a batch of messages to their outcomes, whatever handed them over (a
/// Lambda event, a daemon's receive, an SNS HTTP post, the dev gateway's `/publish`): each
/// message takes the routes its source and attributes select (`from:`, `match:`); the
/// messages of a route go through its pipeline together, so they share store reads (DESIGN
/// §2); routes run concurrently.
///
/// Guarantees: one ``DeliveryOutcome`` per item, in order; an unreadable item or one no route
/// takes is logged with its message id and must be returned, never silently acknowledged;
/// each route's counts are added to its swift-metrics counters, made once per route with the
/// route set's factory.
public struct BatchDelivery: Sendable {
    public let routes: RouteSet
    private let metrics: [String: RouteMetrics]

    public init(routes: RouteSet) {
        self.routes = routes
        metrics = Dictionary(routes.pipelines.map { ($0.route, RouteMetrics(route: $0.route, factory: routes.metrics)) }) { first, _ in first }
    }

    /// One route's reports of a batch and how long its fan-out took (for the metrics).
    public struct RouteRun: Sendable {
        public let route: String
        public let reports: [DeliveryReport]
        public let duration: Duration
    }

    /// Delivers `items` through their routes before `deadline`; the outcomes (one per item, in
    /// order) and each route's run, in the table's order of routes.
    public func deliver(_ items: [SourceItem], deadline: ContinuousClock.Instant, logger: Logger) async -> (outcomes: [DeliveryOutcome], runs: [RouteRun]) {
        var outcomes = [DeliveryOutcome](repeating: DeliveryOutcome(), count: items.count)
        var byRoute: [String: (pipeline: Pipeline, indices: [Int])] = [:]
        for (index, item) in items.enumerated() {
            var itemLogger = logger
            itemLogger[metadataKey: "router.message_id"] = "\(item.messageID)"
            if let reason = item.unreadable {
                itemLogger.warning("invalid_request: \(reason)")
                outcomes[index].mustReturn = true
                continue
            }
            let pipelines = routes.pipelines(forSource: item.source, attributes: item.attributes)
            guard !pipelines.isEmpty else {
                itemLogger.error("unroutable: no route takes messages from \(item.source.map { "source '\($0)'" } ?? "this sender") with these attributes")
                outcomes[index].mustReturn = true
                continue
            }
            for pipeline in pipelines {
                byRoute[pipeline.route, default: (pipeline, [])].indices.append(index)
            }
        }
        let order = Dictionary(routes.pipelines.enumerated().map { ($1.route, $0) }) { first, _ in first }
        let runs = await withTaskGroup(of: (RouteRun, [Int]).self) { group in
            for (route, work) in byRoute {
                group.addTask {
                    let started = ContinuousClock.now
                    let messages = work.indices.map { Pipeline.Message(body: items[$0].body, messageID: items[$0].messageID) }
                    let reports = await work.pipeline.deliver(messages, deadline: deadline, logger: logger)
                    return (RouteRun(route: route, reports: reports, duration: .now - started), work.indices)
                }
            }
            var runs: [(RouteRun, [Int])] = []
            for await run in group { runs.append(run) }
            return runs.sorted { order[$0.0.route, default: 0] < order[$1.0.route, default: 0] }
        }
        for (run, indices) in runs {
            let pipeline = byRoute[run.route]!.pipeline
            for (report, index) in zip(run.reports, indices) {
                outcomes[index].reports.append(report)
                outcomes[index].mustReturn = outcomes[index].mustReturn || pipeline.mustReturn(report)
                outcomes[index].needsRetry = outcomes[index].needsRetry || report.needsRetry
            }
            metrics[run.route]?.record(run)
        }
        return (outcomes, runs.map(\.0))
    }
}
