import Foundation
import LambdaRuntime
import Logging
import RouterCore
import SNSSource
import SQSSource

/// Answers one Lambda invocation, whatever invoked it (DESIGN §4):
/// - an SQS event (`Records[].eventSource == "aws:sqs"`): `{"batchItemFailures":[…]}` listing
///   exactly the records that must come back (transient failures, unfinished records, invalid
///   requests on `on_invalid: dlq` routes, unroutable records); SNS envelopes in bodies are
///   unwrapped as the queue's `sns_envelope` says;
/// - an SNS event (`Records[].EventSource == "aws:sns"`): an invocation error while a
///   transient failure remains (SNS retries), else the reports (invalid requests are logged);
/// - an API Gateway WebSocket `CONNECT`/`DISCONNECT` event: ``ConnectionLifecycle``;
/// - anything else: a notification request invoked directly, answered with the reports, or
///   an error while something is left to retry.
///
/// Every log line carries the request and trace ids; each route's counts are written as an
/// Embedded Metric Format line.
struct LambdaEventHandler: Sendable {
    let delivery: BatchDelivery
    let sources: SourceDirectory
    let lifecycle: ConnectionLifecycle?
    let logger: Logger
    let metrics: @Sendable (String) -> Void

    func handle(_ invocation: LambdaInvocation) async -> LambdaResult {
        var logger = logger
        logger[metadataKey: "aws.request_id"] = "\(invocation.requestID)"
        if let trace = invocation.traceID { logger[metadataKey: "aws.trace_id"] = "\(trace)" }
        let deadline = Self.fanOutDeadline(invocation.deadline)
        let object = (try? JSONSerialization.jsonObject(with: Data(invocation.event))) as? [String: Any]

        if let records = object?["Records"] as? [[String: Any]], let first = records.first {
            if first["eventSource"] as? String == "aws:sqs" {
                return await handleSQS(invocation.event, deadline: deadline, logger: logger)
            }
            if first["EventSource"] as? String == "aws:sns" {
                return await handleSNS(invocation.event, deadline: deadline, logger: logger)
            }
            let source = first["eventSource"] ?? first["EventSource"] ?? "unknown"
            logger.error("unsupported_event: records from \(source); expected aws:sqs or aws:sns")
            return .error(LambdaFunctionError(type: "UnsupportedEvent", message: "records from \(source) are not supported; expected aws:sqs or aws:sns"))
        }
        if let object, let context = object["requestContext"] as? [String: Any], let type = context["eventType"] as? String {
            guard type == "CONNECT" || type == "DISCONNECT" else { return .response(ConnectionLifecycle.status(200)) }
            guard let lifecycle else {
                logger.error("lifecycle_unavailable: a \(type) event arrived but the route table has no connection store")
                return .response(ConnectionLifecycle.status(500))
            }
            return .response(await lifecycle.handle(object, logger: logger))
        }
        return await handleDirect(invocation.event, requestID: invocation.requestID, deadline: deadline, logger: logger)
    }

    /// The Lambda deadline less a margin to answer in: a fifth of the time left, at most 500 ms.
    static func fanOutDeadline(_ deadline: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        let remaining = deadline - now
        return deadline - min(.milliseconds(500), remaining / 5)
    }

    private func handleSQS(_ event: [UInt8], deadline: ContinuousClock.Instant, logger: Logger) async -> LambdaResult {
        let records: [SQSLambdaEvent.Record]
        switch Self.decode(SQSLambdaEvent.self, event, "SQS", logger: logger) {
        case .success(let decoded): records = decoded.records
        case .failure(let error): return .error(error)
        }
        let items = records.map { record in
            let (source, envelope) = sources.queue(arn: record.eventSourceARN)
            return BatchDelivery.Item.sqs(
                messageID: record.messageId, body: record.body, source: source, envelope: envelope, attributes: record.stringAttributes)
        }
        let (outcomes, runs) = await delivery.deliver(items, deadline: deadline, logger: logger)
        emit(runs)
        let failures = zip(records, outcomes).filter { $0.1.mustReturn }.map { ["itemIdentifier": $0.0.messageId] }
        if !failures.isEmpty { logger.notice("batch_item_failures: \(failures.count) of \(records.count) records return to the queue") }
        return .response(Self.json(["batchItemFailures": failures]))
    }

    private func handleSNS(_ event: [UInt8], deadline: ContinuousClock.Instant, logger: Logger) async -> LambdaResult {
        let records: [SNSLambdaEvent.Record]
        switch Self.decode(SNSLambdaEvent.self, event, "SNS", logger: logger) {
        case .success(let decoded): records = decoded.records
        case .failure(let error): return .error(error)
        }
        let items = records.map { record in
            BatchDelivery.Item(
                messageID: record.sns.messageId, body: Array(record.sns.message.utf8), source: sources.topic(arn: record.sns.topicArn),
                attributes: record.sns.stringAttributes)
        }
        let (outcomes, runs) = await delivery.deliver(items, deadline: deadline, logger: logger)
        emit(runs)
        let retry = outcomes.flatMap(\.reports).filter(\.needsRetry)
        guard retry.isEmpty else {
            let reasons = retry.compactMap { report -> String? in
                if case .retry(let reason) = report.outcome { return "\(report.messageID ?? "?"): \(reason)" }
                return nil
            }
            return .error(LambdaFunctionError(type: "DeliveryIncomplete", message: reasons.joined(separator: "; ")))
        }
        return .response(outcomes.flatMap(\.reports).reportsJSON)
    }

    private func handleDirect(_ event: [UInt8], requestID: String, deadline: ContinuousClock.Instant, logger: Logger) async -> LambdaResult {
        let item = BatchDelivery.Item(messageID: requestID, body: event, source: nil, attributes: [:])
        let (outcomes, runs) = await delivery.deliver([item], deadline: deadline, logger: logger)
        emit(runs)
        let reports = outcomes[0].reports
        if outcomes[0].needsRetry {
            return .error(LambdaFunctionError(type: "DeliveryIncomplete", message: "the request was not delivered to every connection; invoke again"))
        }
        if reports.isEmpty {
            return .error(LambdaFunctionError(type: "Unroutable", message: "no route takes directly invoked requests (every route has from:)"))
        }
        return .response(reports.reportsJSON)
    }

    /// The event decoded, or the invocation error that says it does not decode (logged).
    private static func decode<Event: Decodable>(
        _ type: Event.Type, _ event: [UInt8], _ kind: String, logger: Logger
    ) -> Result<Event, LambdaFunctionError> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(event)))
        } catch {
            logger.error("unreadable_event: an \(kind) event that does not decode: \(error)")
            return .failure(LambdaFunctionError(type: "UnreadableEvent", message: "the \(kind) event does not decode: \(error)"))
        }
    }

    private func emit(_ runs: [BatchDelivery.RouteRun]) {
        for run in runs { metrics(EmbeddedMetrics.line(route: run.route, reports: run.reports, duration: run.duration)) }
    }

    private static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}
