import AWSCore
import RouterCore
import SNSSource
import SQSSource

/// The route table's sources by the ARN their Lambda records carry: SQS queues by queue ARN,
/// SNS topics by topic ARN. A record from an ARN the table does not name has no source name,
/// and takes only the routes without `from`.
struct SourceDirectory: Sendable {
    private var queues: [String: (name: String, configuration: SQSSourceConfiguration)] = [:]
    private var topics: [String: String] = [:]

    init(_ table: RouteTable) {
        for (name, queue) in table.sources(of: SQSSourceConfiguration.self) { queues[queue.queue.arn.description] = (name, queue) }
        for (name, topic) in table.sources(of: SNSSourceConfiguration.self) { topics[topic.topic.description] = name }
    }

    func queue(arn: String) -> (name: String?, envelope: SQSSourceConfiguration.SNSEnvelopeMode) {
        guard let queue = queues[arn] else { return (nil, .auto) }
        return (queue.name, queue.configuration.snsEnvelope)
    }

    func topic(arn: String) -> String? {
        topics[arn]
    }
}
