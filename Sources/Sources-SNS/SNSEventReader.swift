import AWSCore
import FoundationEssentials
import Logging
import RouterCore

/// The event face of `sns` sources: an SNS event (`Records[].EventSource == "aws:sns"`), each
/// record named by the source whose topic ARN it carries. SNS retries only a whole
/// invocation, so the answer is an invocation error while any record has a transient failure
/// left, else the reports; an invalid request is logged and not retried (a retry cannot mend it).
public struct SNSEventReader: SourceEventReader {
    public var kind: String { "aws:sns" }
    private let topics: [String: String]

    public init(topics: [(name: String, configuration: SNSSourceConfiguration)]) {
        var byARN: [String: String] = [:]
        for (name, topic) in topics where byARN[topic.topic.description] == nil { byARN[topic.topic.description] = name }
        self.topics = byARN
    }

    public func items(in event: SourceEvent) throws(SourceError) -> [SourceItem]? {
        guard event.records?.first?["EventSource"]?.string == kind else { return nil }
        let records: [SNSLambdaEvent.Record]
        do {
            records = try JSONDecoder().decode(SNSLambdaEvent.self, from: Data(event.bytes)).records
        } catch {
            throw SourceError(.unreadableEvent, "the SNS event does not decode: \(error)")
        }
        return records.map { record in
            SourceItem(
                messageID: record.sns.messageId, body: Array(record.sns.message.utf8), source: topics[record.sns.topicArn],
                attributes: record.sns.stringAttributes)
        }
    }

    public func answer(items: [SourceItem], outcomes: [DeliveryOutcome], logger: Logger) -> SourceEventAnswer {
        let reports = outcomes.flatMap(\.reports)
        let reasons = reports.compactMap { report -> String? in
            if case .retry(let reason) = report.outcome { return "\(report.messageID ?? "?"): \(reason)" }
            return nil
        }
        guard reasons.isEmpty else { return .failure(type: "DeliveryIncomplete", message: reasons.joined(separator: "; ")) }
        return .response(reports.reportsJSON)
    }
}
