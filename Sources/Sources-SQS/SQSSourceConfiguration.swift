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
public struct SQSSourceConfiguration: SourceConfiguration {
    public let queue: SQSQueue
    public let snsEnvelope: SNSEnvelopeMode

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
        let mode = try options.optional("sns_envelope")?.choice(SNSEnvelopeMode.allCases.map(\.rawValue)) ?? SNSEnvelopeMode.auto.rawValue
        snsEnvelope = SNSEnvelopeMode(rawValue: mode) ?? .auto
    }

    public var settings: [ConfigSetting] {
        [ConfigSetting("queue", queue.url), ConfigSetting("arn", queue.arn.description), ConfigSetting("sns_envelope", snsEnvelope.rawValue)]
    }
}
