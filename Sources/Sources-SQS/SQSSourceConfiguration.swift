import AWSCore
import RouterCore

/// `type: sqs`: notification requests from an SQS queue, given by URL or ARN.
///
/// ```yaml
/// queue: { type: sqs, queue: "${NOTIFICATIONS_QUEUE_URL}", region: us-east-1 }
/// ```
/// A URL that is not an AWS one (LocalStack's `http://localhost:4566/000000000000/q`, a test
/// server) takes its region from `region`, else from `AWS_REGION`, `AWS_DEFAULT_REGION` or the
/// profile's, as the other AWS plugins do.
/// `sns_envelope`: a queue subscribed to an SNS topic without raw message delivery receives
/// the SNS envelope (`{"Type":"Notification","Message":…}`) as its body; `auto` (default)
/// unwraps a body that is such an envelope (a notification request never is), `always`
/// requires one, `never` takes every body as the request.
///
/// Daemon mode (`serve`) polls the queue: `pollers` (default 2) long polls at once,
/// `visibility_timeout` (default 30s, 1s to 12h as SQS allows) asked for and renewed while a batch is handled,
/// `retry_delay` (default 5s) before an unacknowledged message is visible again, doubled per
/// receive up to 15 minutes; `wait_time` (default 20s, 1s to 20s) of each long poll, which is
/// also how long a stopping daemon may wait for its open polls.
public struct SQSSourceConfiguration: SourceConfiguration {
    /// The queue as written: a URL or an ARN.
    public let address: String
    /// The source's own `region`, when set.
    public let region: String?
    /// The queue, when the options alone say its region (an AWS URL, an ARN, or `region`).
    public let queue: SQSQueue?
    public let snsEnvelope: SNSEnvelopeMode
    public let pollers: Int
    public let visibilityTimeout: Duration
    public let retryDelay: Duration
    public let waitTime: Duration

    public enum SNSEnvelopeMode: String, Sendable, CaseIterable {
        case auto, always, never
    }

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let value = try options.required("queue", expected: "a queue URL or ARN")
        let text = try value.nonEmptyString(expected: "a queue URL or ARN")
        let region = try options.optional("region")?.nonEmptyString(expected: "an AWS region such as us-east-1")
        // The shape is checked now; a non-AWS URL's region may come from the environment at start.
        guard SQSQueue(text, region: region ?? "us-east-1") != nil else {
            throw value.error(
                "'\(text)' is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>, or <endpoint>/<account>/<name>) "
                    + "or ARN (arn:aws:sqs:<region>:<account>:<name>)")
        }
        self.address = text
        self.region = region
        self.queue = SQSQueue(text, region: region)
        snsEnvelope = try options.optional("sns_envelope")?.choice(SNSEnvelopeMode.self) ?? .auto
        pollers = try options.optional("pollers")?.int(in: 1...64) ?? 2
        visibilityTimeout = try options.optional("visibility_timeout")?.duration(in: .seconds(1)...(.seconds(12 * 3600))) ?? .seconds(30)
        retryDelay = try options.optional("retry_delay")?.duration() ?? .seconds(5)
        waitTime = try options.optional("wait_time")?.duration(in: .seconds(1)...(.seconds(20))) ?? .seconds(20)
    }

    /// The consumer settings these options give.
    public var consumerSettings: SQSConsumer.Settings {
        SQSConsumer.Settings(pollers: pollers, waitTime: waitTime, visibilityTimeout: visibilityTimeout, retryBase: retryDelay)
    }

    /// The queue, its region from the options or else `defaultRegion`; nil when neither says one.
    public func queue(defaultRegion: String?) -> SQSQueue? {
        queue ?? SQSQueue(address, region: defaultRegion)
    }

    public func makeSource(name: String, _ context: PluginContext) throws(PluginBuildError) -> any NotificationSource {
        let aws = try context.resource(AWSAccess.self)
        guard let queue = queue(defaultRegion: aws.defaultRegion) else {
            throw PluginBuildError(
                .missingSetting, "no AWS region for queue '\(address)': set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region), or 'region' on this source")
        }
        return SQSSource(name: name, queue: queue, configuration: self, client: SQSClient(aws: aws.client), metrics: context.metrics)
    }

    public static func eventReader(for table: RouteTable, context: PluginContext) -> (any SourceEventReader)? {
        let defaultRegion = (try? context.resource(AWSAccess.self))?.defaultRegion
        return SQSEventReader(queues: table.sources(of: SQSSourceConfiguration.self).compactMap { name, options in
            options.queue(defaultRegion: defaultRegion).map { (name, $0, options.snsEnvelope) }
        })
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("queue", queue?.url ?? address), ConfigSetting("arn", queue?.arn.description ?? "(its region from the environment at start)"), ConfigSetting("sns_envelope", snsEnvelope.rawValue),
            ConfigSetting("pollers", "\(pollers)"), ConfigSetting("visibility_timeout", duration: visibilityTimeout),
            ConfigSetting("retry_delay", duration: retryDelay), ConfigSetting("wait_time", duration: waitTime),
        ]
    }
}
