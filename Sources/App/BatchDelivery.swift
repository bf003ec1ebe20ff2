import Logging
import RouterCore

/// Runs a batch of messages (an SQS event, an SNS event, a poller's receive) through their
/// routes: each message takes the routes its source and attributes select; the messages of a
/// route go through its pipeline together, so they share store reads (DESIGN §2); routes run
/// concurrently. Reports one outcome per message, in order, and adds each route's counts to
/// the swift-metrics counters (``RouteCounters``).
struct BatchDelivery: Sendable {
    let routes: RouteSet

    /// One message and where it came from.
    struct Item: Sendable {
        let messageID: String
        let body: [UInt8]
        /// The table's source name, nil when the message came from none it names.
        let source: String?
        let attributes: [String: String]
        /// Why the message cannot be delivered before any route sees it (e.g. a required
        /// SNS envelope is missing); such a message is returned to its queue.
        var unreadable: String? = nil
    }

    /// What became of one message on every route it took.
    struct Outcome: Sendable {
        var reports: [DeliveryReport] = []
        /// It must come back (SQS: listed in `batchItemFailures`): a transient failure, an
        /// invalid request on an `on_invalid: dlq` route, or no route at all.
        var mustReturn = false
        /// Something transient is left: retrying can help.
        var needsRetry = false
    }

    /// Each route's reports and how long its fan-out took, for the metrics.
    struct RouteRun: Sendable {
        let route: String
        let reports: [DeliveryReport]
        let duration: Duration
    }

    func deliver(_ items: [Item], deadline: ContinuousClock.Instant, logger: Logger) async -> (outcomes: [Outcome], runs: [RouteRun]) {
        var outcomes = [Outcome](repeating: Outcome(), count: items.count)
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
            return runs
        }
        for (run, indices) in runs {
            let pipeline = byRoute[run.route]!.pipeline
            for (report, index) in zip(run.reports, indices) {
                outcomes[index].reports.append(report)
                outcomes[index].mustReturn = outcomes[index].mustReturn || pipeline.mustReturn(report)
                outcomes[index].needsRetry = outcomes[index].needsRetry || report.needsRetry
            }
        }
        let routeRuns = runs.map(\.0).sorted { $0.route < $1.route }
        for run in routeRuns { RouteCounters.record(run) }
        return (outcomes, routeRuns)
    }
}
