import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Plays SNS's signing side in tests: an RSA key and a self-signed certificate made at start,
/// and messages signed the way the SNS developer guide describes (its canonical strings,
/// written out here independently of the router's own code).
public struct TestSNSSigner: Sendable {
    public let certificatePEM: String
    let key: _RSA.Signing.PrivateKey

    /// A certificate valid from `validFrom` to `validUntil` (default: an hour ago to a day on).
    public init(validFrom: Date = Date() - 3600, validUntil: Date = Date() + 86_400) throws {
        key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("sns.amazonaws.com") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: validFrom, notValidAfter: validUntil,
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions {},
            issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A `Notification` body, signed with `version` 1 (SHA1) or 2 (SHA256).
    public func notification(
        topic: String, message: String, messageID: String = UUID().uuidString, subject: String? = nil, version: Int = 2, certificateURL: String,
        sent: Date = Date()
    ) throws -> [String: String] {
        var fields = [
            "Type": "Notification", "MessageId": messageID, "TopicArn": topic, "Message": message,
            "Timestamp": Self.timestamp(sent), "SignatureVersion": "\(version)", "SigningCertURL": certificateURL,
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=\(topic):1",
        ]
        if let subject { fields["Subject"] = subject }
        return try signed(fields, keys: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"])
    }

    /// A `SubscriptionConfirmation` body for `subscribeURL`.
    public func subscriptionConfirmation(topic: String, subscribeURL: String, token: String, version: Int = 2, certificateURL: String) throws -> [String: String] {
        let fields = [
            "Type": "SubscriptionConfirmation", "MessageId": UUID().uuidString, "Token": token, "TopicArn": topic,
            "Message": "You have chosen to subscribe to the topic \(topic).", "SubscribeURL": subscribeURL,
            "Timestamp": Self.timestamp(Date()), "SignatureVersion": "\(version)", "SigningCertURL": certificateURL,
        ]
        return try signed(fields, keys: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"])
    }

    /// `fields` with a `Signature` over `keys` (those present, `Key\nValue\n` each).
    public func signed(_ fields: [String: String], keys: [String]) throws -> [String: String] {
        let text = keys.compactMap { key in fields[key].map { "\(key)\n\($0)\n" } }.joined()
        let data = Data(text.utf8)
        let signature = fields["SignatureVersion"] == "1"
            ? try key.signature(for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
            : try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        var signed = fields
        signed["Signature"] = signature.rawRepresentation.base64EncodedString()
        return signed
    }

    /// A `Timestamp` as SNS writes it: `2026-12-01T07:30:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A body as SNS posts it.
    public static func body(_ fields: [String: String]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data())
    }
}
