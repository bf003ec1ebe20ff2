import APIGatewaySink
import FoundationEssentials
import LambdaRuntime
import Logging
import RouterCore

/// Answers one Lambda invocation, whatever invoked it (DESIGN §4):
/// - an event a source kind reads (``RouterCore/SourceEventReader``: SQS, SNS, and any kind a
///   program registers): its items go through ``RouterCore/BatchDelivery`` and the reader
///   answers as its platform expects (SQS: `batchItemFailures`; SNS: an error while
///   something must be retried);
/// - an API Gateway WebSocket event: ``ConnectionLifecycle``;
/// - records no reader knows: an `UnsupportedEvent` error;
/// - anything else: a notification request invoked directly, answered with the reports, or
///   an error while something is left to retry.
///
/// Every log line carries the request and trace ids; each route's counts are written as an
/// Embedded Metric Format line.
public struct LambdaEventHandler: Sendable {
    let delivery: BatchDelivery
    let lifecycle: ConnectionLifecycle?
    let logger: Logger
    let metrics: @Sendable (String) -> Void

    /// - Parameter metrics: where the EMF lines go (standard output in Lambda).
    public init(delivery: BatchDelivery, lifecycle: ConnectionLifecycle?, logger: Logger, metrics: @escaping @Sendable (String) -> Void) {
        self.delivery = delivery
        self.lifecycle = lifecycle
        self.logger = logger
        self.metrics = metrics
    }

    public func handle(_ invocation: LambdaInvocation) async -> LambdaResult {
        var logger = logger
        logger[metadataKey: "aws.request_id"] = "\(invocation.requestID)"
        if let trace = invocation.traceID { logger[metadataKey: "aws.trace_id"] = "\(trace)" }
        let deadline = Self.fanOutDeadline(invocation.deadline)
        let event = SourceEvent(invocation.event)

        if let object = event.object, let type = ConnectionLifecycle.eventType(of: object) {
            guard let lifecycle else {
                guard ConnectionLifecycle.manages(type) else { return .response(ConnectionLifecycle.status(200)) }
                logger.error("lifecycle_unavailable: a \(type) event arrived but the route table has no connection store")
                return .response(ConnectionLifecycle.status(500))
            }
            return .response(await lifecycle.handle(object, logger: logger))
        }
        for reader in delivery.routes.eventReaders {
            let items: [SourceItem]
            do {
                guard let read = try reader.items(in: event) else { continue }
                items = read
            } catch {
                logger.error("unreadable_event: \(error.message)")
                return .error(LambdaFunctionError(type: "UnreadableEvent", message: error.message))
            }
            let outcomes = await deliver(items, deadline: deadline, logger: logger)
            switch reader.answer(items: items, outcomes: outcomes, logger: logger) {
            case .response(let body): return .response(body)
            case .failure(let type, let message): return .error(LambdaFunctionError(type: type, message: message))
            }
        }
        if let first = event.records?.first {
            let source = (first["eventSource"] ?? first["EventSource"])?.scalarText ?? "unknown"
            let known = delivery.routes.eventReaders.map(\.kind).joined(separator: " or ")
            logger.error("unsupported_event: records from \(source); expected \(known)")
            return .error(LambdaFunctionError(type: "UnsupportedEvent", message: "records from \(source) are not supported; expected \(known)"))
        }
        return await handleDirect(invocation.event, requestID: invocation.requestID, deadline: deadline, logger: logger)
    }

    /// The Lambda deadline less a margin to answer in: a fifth of the time left, at most 500 ms.
    static func fanOutDeadline(_ deadline: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        let remaining = deadline - now
        return deadline - min(.milliseconds(500), remaining / 5)
    }

    private func handleDirect(_ event: [UInt8], requestID: String, deadline: ContinuousClock.Instant, logger: Logger) async -> LambdaResult {
        let outcome = await deliver([SourceItem(messageID: requestID, body: event, source: nil)], deadline: deadline, logger: logger)[0]
        if outcome.needsRetry {
            return .error(LambdaFunctionError(type: "DeliveryIncomplete", message: "the request was not delivered to every connection; invoke again"))
        }
        if outcome.reports.isEmpty {
            return .error(LambdaFunctionError(type: "Unroutable", message: "no route takes directly invoked requests (every route has from:)"))
        }
        return .response(outcome.reports.reportsJSON)
    }

    private func deliver(_ items: [SourceItem], deadline: ContinuousClock.Instant, logger: Logger) async -> [DeliveryOutcome] {
        let (outcomes, runs) = await delivery.deliver(items, deadline: deadline, logger: logger)
        for run in runs { metrics(EmbeddedMetrics.line(route: run.route, reports: run.reports, duration: run.duration)) }
        return outcomes
    }
}
