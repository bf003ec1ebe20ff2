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
/// is left is retried; `max_message_age` (default 1h) refuses a signed message older than it
/// (a replay); `basic_auth: { user: "${SNS_USER}", password: "${SNS_PASSWORD}" }` makes every
/// request carry those HTTP basic auth credentials (subscribe the endpoint as
/// `https://user:password@host/sns/<name>`); `raw_delivery` (default false) accepts raw
/// message delivery, which SNS does not sign, and so requires `basic_auth`.
public struct SNSSourceConfiguration: SourceConfiguration {
    public let topic: ARN
    public let dedupeWindow: Duration
    public let deadline: Duration
    public let maxMessageAge: Duration
    public let rawDelivery: Bool
    /// The credentials every request must carry (`basic_auth`), when set.
    public let basicAuth: (user: String, password: String)?

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let value = try options.required("topic", expected: "a topic ARN")
        let text = try value.nonEmptyString(expected: "a topic ARN")
        guard let topic = ARN(text), topic.service == "sns", AWSRegion.isValid(topic.region), !topic.account.isEmpty else {
            throw value.error("'\(text)' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)")
        }
        self.topic = topic
        dedupeWindow = try options.optional("dedupe_window")?.duration() ?? .seconds(300)
        deadline = try options.optional("deadline")?.duration() ?? .seconds(10)
        maxMessageAge = try options.optional("max_message_age")?.duration(in: .seconds(1)...(.seconds(14 * 24 * 3600))) ?? .seconds(3600)
        if let auth = options.optional("basic_auth") {
            var credentials = try auth.mapping(expected: "the basic auth credentials: user and password")
            let user = try credentials.required("user", expected: "a user name").nonEmptyString()
            let password = try credentials.required("password", expected: "a password, from the environment: \"${SNS_PASSWORD}\"").nonEmptyString()
            try credentials.finish()
            basicAuth = (user, password)
        } else {
            basicAuth = nil
        }
        let raw = options.optional("raw_delivery")
        rawDelivery = try raw?.bool() ?? false
        if let raw, rawDelivery, basicAuth == nil {
            throw raw.error("raw_delivery: true needs basic_auth: raw messages are not signed, so only the credentials show that SNS sent them")
        }
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
            ConfigSetting("deadline", duration: deadline), ConfigSetting("max_message_age", duration: maxMessageAge),
            ConfigSetting("raw_delivery", "\(rawDelivery)"),
        ] + (basicAuth.map { [ConfigSetting("basic_auth.user", $0.user), .secret("basic_auth.password")] } ?? [])
    }
}
