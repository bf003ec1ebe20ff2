import FoundationEssentials

/// An SNS event as Lambda receives it: one record per notification (in practice one).
public struct SNSLambdaEvent: Decodable, Sendable {
    public let records: [Record]

    public struct Record: Decodable, Sendable {
        public let sns: SNSNotification

        private enum CodingKeys: String, CodingKey {
            case sns = "Sns"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case records = "Records"
    }
}

/// An SNS notification: the `Sns` object of a Lambda record, and the envelope SNS writes as
/// the body of an SQS message when raw message delivery is off.
public struct SNSNotification: Decodable, Sendable {
    public let type: String?
    public let messageId: String
    public let topicArn: String
    /// The published message: the notification request.
    public let message: String
    public let messageAttributes: [String: Attribute]?

    public struct Attribute: Decodable, Sendable {
        public let type: String?
        public let value: String?

        private enum CodingKeys: String, CodingKey {
            case type = "Type", value = "Value"
        }
    }

    /// The string-valued message attributes (what `match:` compares).
    public var stringAttributes: [String: String] {
        (messageAttributes ?? [:]).compactMapValues { $0.type == "Binary" ? nil : $0.value }
    }

    private enum CodingKeys: String, CodingKey {
        case type = "Type", messageId = "MessageId", topicArn = "TopicArn", message = "Message", messageAttributes = "MessageAttributes"
    }
}

extension SNSNotification {
    /// The envelope in an SQS body, if the body is one: a JSON object with `"Type":
    /// "Notification"`, a `TopicArn` and a string `Message`. A notification request is never
    /// mistaken for it (it has `data` and no `Message`).
    public init?(envelope body: [UInt8]) {
        guard body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{"),
              let notification = try? JSONDecoder().decode(SNSNotification.self, from: Data(body)),
              notification.type == "Notification"
        else { return nil }
        self = notification
    }
}
