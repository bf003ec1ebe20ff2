import FoundationEssentials

/// A message SNS posts to an HTTP(S) subscription: the JSON body of a
/// `SubscriptionConfirmation`, `Notification` or `UnsubscribeConfirmation`, with what its
/// signature covers (``stringToSign``). Decoding checks only the shape; ``SNSMessageVerifier``
/// decides whether SNS sent it.
public struct SNSHTTPMessage: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case subscriptionConfirmation = "SubscriptionConfirmation"
        case notification = "Notification"
        case unsubscribeConfirmation = "UnsubscribeConfirmation"
    }

    public let kind: Kind
    /// The fields every SNS envelope has (message id, topic, message, attributes).
    public let notification: SNSNotification
    public let timestamp: String
    public let subject: String?
    /// Confirmations only: the token and the URL that confirms the subscription.
    public let token: String?
    public let subscribeURL: String?
    /// `1` (SHA1withRSA) or `2` (SHA256withRSA).
    public let signatureVersion: String
    /// Base64.
    public let signature: String
    public let signingCertURL: String

    /// Reads `body`; the error names the first missing or malformed field.
    /// An SNS `Timestamp` (`2026-12-01T07:30:00.123Z`, fractional seconds optional) as a date.
    public static func date(_ timestamp: String) -> Date? {
        (try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(timestamp, strategy: .iso8601))
    }

    public init(body: [UInt8]) throws(SNSRejection) {
        do {
            self = try JSONDecoder().decode(SNSHTTPMessage.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .malformed(.shape, "the SNS message has no '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .malformed(.shape, "the SNS message's '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is not a string")
        } catch let DecodingError.dataCorrupted(context) {
            throw .malformed(.shape, context.codingPath.isEmpty ? "the body is not JSON" : "the SNS message's '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is invalid: \(context.debugDescription)")
        } catch {
            throw .malformed(.shape, "the body is not an SNS message: \(error)")
        }
    }

    /// The canonical string SNS signs: `Key\nValue\n` for each signed field, in the documented
    /// order (Notification: Message, MessageId, Subject when present, Timestamp, TopicArn,
    /// Type; confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type).
    public var stringToSign: String {
        var fields: [(String, String?)] = [("Message", notification.message), ("MessageId", notification.messageId)]
        switch kind {
        case .notification:
            fields += [("Subject", subject), ("Timestamp", timestamp)]
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            fields += [("SubscribeURL", subscribeURL), ("Timestamp", timestamp), ("Token", token)]
        }
        fields += [("TopicArn", notification.topicArn), ("Type", kind.rawValue)]
        return fields.reduce(into: "") { text, field in
            if let value = field.1 { text += "\(field.0)\n\(value)\n" }
        }
    }
}

extension SNSHTTPMessage: Decodable {
    private enum CodingKeys: String, CodingKey {
        case type = "Type", timestamp = "Timestamp", subject = "Subject", token = "Token", subscribeURL = "SubscribeURL"
        case signatureVersion = "SignatureVersion", signature = "Signature", signingCertURL = "SigningCertURL"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: type) else {
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "'\(type)' is none of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        notification = try SNSNotification(from: decoder)
        timestamp = try container.decode(String.self, forKey: .timestamp)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        token = try container.decodeIfPresent(String.self, forKey: .token)
        subscribeURL = try container.decodeIfPresent(String.self, forKey: .subscribeURL)
        signatureVersion = try container.decode(String.self, forKey: .signatureVersion)
        signature = try container.decode(String.self, forKey: .signature)
        signingCertURL = try container.decode(String.self, forKey: .signingCertURL)
    }
}
