import AWSCore
import RouterCore

/// `type: sns`: notification requests from an SNS topic, given by ARN. In Lambda mode the
/// records' `TopicArn` picks the route; the daemon's HTTP endpoint accepts only this topic.
///
/// ```yaml
/// topic: { type: sns, topic: "${NOTIFICATIONS_TOPIC_ARN}" }
/// ```
public struct SNSSourceConfiguration: SourceConfiguration {
    public let topic: ARN

    public init(options: inout ConfigMapping) throws(ConfigError) {
        let value = try options.required("topic", expected: "a topic ARN")
        let text = try value.nonEmptyString(expected: "a topic ARN")
        guard let topic = ARN(text), topic.service == "sns", AWSRegion.isValid(topic.region), !topic.account.isEmpty else {
            throw value.error("'\(text)' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)")
        }
        self.topic = topic
    }

    public var settings: [ConfigSetting] { [ConfigSetting("topic", topic.description)] }
}
