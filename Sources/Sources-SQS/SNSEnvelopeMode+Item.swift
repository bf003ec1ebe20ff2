import RouterCore
import SNSSource

extension SQSSourceConfiguration.SNSEnvelopeMode {
    /// An SQS message (a Lambda record or a polled message) as a batch item: an SNS envelope in
    /// the body is unwrapped as this mode says, and then its attributes are the SNS message's.
    func item(messageID: String, body: String, source: String?, attributes: [String: String]) -> SourceItem {
        let bytes = Array(body.utf8)
        if self != .never, let notification = SNSNotification(envelope: bytes) {
            return SourceItem(messageID: messageID, body: Array(notification.message.utf8), source: source, attributes: notification.stringAttributes)
        }
        let unreadable = self == .always ? "the body is not an SNS envelope, and the queue's sns_envelope is always" : nil
        return SourceItem(messageID: messageID, body: bytes, source: source, attributes: attributes, unreadable: unreadable)
    }
}
