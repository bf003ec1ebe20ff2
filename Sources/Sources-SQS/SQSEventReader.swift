import AWSCore
import FoundationEssentials
import Logging
import RouterCore

/// The event face of `sqs` sources: an SQS event (`Records[].eventSource == "aws:sqs"`), each
/// record named by the source whose queue ARN it carries, its SNS envelope unwrapped as that
/// source's `sns_envelope` says (`auto` for a queue the table does not list). The answer is
/// `{"batchItemFailures":[…]}` listing exactly the records that must come back.
public struct SQSEventReader: SourceEventReader {
    public var kind: String { "aws:sqs" }
    private let queues: [String: (name: String, envelope: SQSSourceConfiguration.SNSEnvelopeMode)]

    /// `queues`: each `sqs` source's name, queue and `sns_envelope`.
    public init(queues: [(name: String, queue: SQSQueue, envelope: SQSSourceConfiguration.SNSEnvelopeMode)]) {
        var byARN: [String: (name: String, envelope: SQSSourceConfiguration.SNSEnvelopeMode)] = [:]
        for (name, queue, envelope) in queues where byARN[queue.arn.description] == nil {
            byARN[queue.arn.description] = (name, envelope)
        }
        self.queues = byARN
    }

    public func items(in event: SourceEvent) throws(SourceError) -> [SourceItem]? {
        guard event.records?.first?["eventSource"]?.string == kind else { return nil }
        let records: [SQSLambdaEvent.Record]
        do {
            records = try JSONDecoder().decode(SQSLambdaEvent.self, from: Data(event.bytes)).records
        } catch {
            throw SourceError(.unreadableEvent, "the SQS event does not decode: \(error)")
        }
        return records.map { record in
            let queue = queues[record.eventSourceARN]
            return (queue?.envelope ?? .auto).item(
                messageID: record.messageId, body: record.body, source: queue?.name, attributes: record.stringAttributes)
        }
    }

    public func answer(items: [SourceItem], outcomes: [DeliveryOutcome], logger: Logger) -> SourceEventAnswer {
        let failures = zip(items, outcomes).filter { !$0.1.isAcknowledged }.map { failed -> JSONValue in ["itemIdentifier": .string(failed.0.messageID)] }
        if !failures.isEmpty { logger.notice("batch_item_failures: \(failures.count) of \(items.count) records return to the queue") }
        return .response(JSONValue.object(["batchItemFailures": .array(failures)]).encoded())
    }
}
