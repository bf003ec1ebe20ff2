import AWSCore
import RouterCore

/// `type: sqs`: notification requests from an SQS queue, given by URL or ARN.
///
/// ```yaml
/// queue: { type: sqs, queue: "${NOTIFICATIONS_QUEUE_URL}", region: us-east-1 }
/// ```
/// `region` is needed only when the URL is not an AWS one (a local test server).
/// `sns_envelope`: a queue subscribed to an SNS topic without raw message delivery receives
/// the SNS envelope (`{"Type":"Notification","Message":…}`) as its body; `auto` (default)
/// unwraps a body that is such an envelope (a notification request never is), `always`
/// requires one, `never` takes every body as the request.
///
/// Daemon mode (`serve`) polls the queue: `pollers` (default 2) long polls at once,
/// `visibility_timeout` (default 30s) asked for and renewed while a batch is handled,
/// `retry_delay` (default 5s) before an unacknowledged message is visible again, doubled per
/// receive up to 15 minutes.
public struct SQSSourceConfiguration: SourceConfiguration {
    public let queue: SQSQueue
    public let snsEnvelope: SNSEnvelopeMode
    public let pollers: Int
    public let visibilityTimeout: Duration
    public let retryDelay: Duration

    public enum SNSEnvelopeMode: String, Sendable, CaseIterable {
        case auto, always, never
    }

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let value = try options.required("queue", expected: "a queue URL or ARN")
        let text = try value.nonEmptyString(expected: "a queue URL or ARN")
        let region = try options.optional("region")?.nonEmptyString(expected: "an AWS region such as us-east-1")
        guard let queue = SQSQueue(text, region: region) else {
            throw value.error(
                "'\(text)' is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>) "
                    + "or ARN (arn:aws:sqs:<region>:<account>:<name>); a non-AWS URL also needs 'region'")
        }
        self.queue = queue
        snsEnvelope = try options.optional("sns_envelope")?.choice(SNSEnvelopeMode.self) ?? .auto
        pollers = try options.optional("pollers")?.int(in: 1...64) ?? 2
        visibilityTimeout = try options.optional("visibility_timeout")?.duration() ?? .seconds(30)
        retryDelay = try options.optional("retry_delay")?.duration() ?? .seconds(5)
    }

    /// The consumer settings these options give.
    public var consumerSettings: SQSConsumer.Settings {
        SQSConsumer.Settings(pollers: pollers, visibilityTimeout: visibilityTimeout, retryBase: retryDelay)
    }

    public func makeSource(name: String, _ context: PluginContext) throws(PluginBuildError) -> any NotificationSource {
        SQSSource(name: name, configuration: self, client: SQSClient(aws: try context.resource(AWSAccess.self).client), metrics: context.metrics)
    }

    public static func eventReader(for table: RouteTable) -> (any SourceEventReader)? {
        SQSEventReader(queues: table.sources(of: SQSSourceConfiguration.self))
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("queue", queue.url), ConfigSetting("arn", queue.arn.description), ConfigSetting("sns_envelope", snsEnvelope.rawValue),
            ConfigSetting("pollers", "\(pollers)"), ConfigSetting("visibility_timeout", duration: visibilityTimeout),
            ConfigSetting("retry_delay", duration: retryDelay),
        ]
    }
}
