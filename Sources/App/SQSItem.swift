import SNSSource
import SQSSource

extension BatchDelivery.Item {
    /// An SQS message (a Lambda record or a polled message) as a batch item: an SNS envelope in
    /// the body is unwrapped as the queue's `sns_envelope` says, and then its attributes are the
    /// SNS message's.
    static func sqs(
        messageID: String, body: String, source: String?, envelope: SQSSourceConfiguration.SNSEnvelopeMode, attributes: [String: String]
    ) -> BatchDelivery.Item {
        let bytes = Array(body.utf8)
        if envelope != .never, let notification = SNSNotification(envelope: bytes) {
            return .init(messageID: messageID, body: Array(notification.message.utf8), source: source, attributes: notification.stringAttributes)
        }
        var item = BatchDelivery.Item(messageID: messageID, body: bytes, source: source, attributes: attributes)
        if envelope == .always { item.unreadable = "the body is not an SNS envelope, and the queue's sns_envelope is always" }
        return item
    }
}
