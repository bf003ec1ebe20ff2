import AWSCore
import RouterCore

/// `type: sns`: notification requests from an SNS topic, given by ARN. In Lambda mode the
/// records' `TopicArn` picks the route. In daemon mode SNS posts to `POST /sns/<source name>`
/// (an HTTP(S) subscription), which accepts this topic only.
///
/// ```yaml
/// topic: { type: sns, topic: "${NOTIFICATIONS_TOPIC_ARN}", dedupe_window: 5m, deadline: 10s }
/// ```
/// Daemon options: `dedupe_window` (default 5m) answers a notification whose `MessageId` was
/// delivered within it without delivering it again (SNS retries); `deadline` (default 10s)
/// bounds a fan-out, so the answer comes before SNS gives up on the request (15 s) and what
/// is left is retried; `raw_delivery` (default false) accepts raw message delivery, which
/// SNS does not sign: turn it on only when nobody but SNS can reach the endpoint.
public struct SNSSourceConfiguration: SourceConfiguration {
    public let topic: ARN
    public let dedupeWindow: Duration
    public let deadline: Duration
    public let rawDelivery: Bool

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let value = try options.required("topic", expected: "a topic ARN")
        let text = try value.nonEmptyString(expected: "a topic ARN")
        guard let topic = ARN(text), topic.service == "sns", AWSRegion.isValid(topic.region), !topic.account.isEmpty else {
            throw value.error("'\(text)' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)")
        }
        self.topic = topic
        dedupeWindow = try options.optional("dedupe_window")?.duration() ?? .seconds(300)
        deadline = try options.optional("deadline")?.duration() ?? .seconds(10)
        rawDelivery = try options.optional("raw_delivery")?.bool() ?? false
    }

    public func makeSource(name: String, _ context: PluginContext) throws(PluginBuildError) -> any NotificationSource {
        SNSSource(name: name, configuration: self, aws: try context.resource(AWSAccess.self).client, metrics: context.metrics)
    }

    public static func eventReader(for table: RouteTable, context: PluginContext) -> (any SourceEventReader)? {
        SNSEventReader(topics: table.sources(of: SNSSourceConfiguration.self))
    }

    public var settings: [ConfigSetting] {
        [
            ConfigSetting("topic", topic.description), ConfigSetting("dedupe_window", duration: dedupeWindow),
            ConfigSetting("deadline", duration: deadline), ConfigSetting("raw_delivery", "\(rawDelivery)"),
        ]
    }
}
