import Foundation
import RouterTestSupport
import SNSSource
import Synchronization
import Testing

@Suite("SNS message signatures")
struct SNSMessageVerifierTests {
    static let topic = "arn:aws:sns:us-east-1:123456789012:notifications"
    static let host = "sns.us-east-1.amazonaws.com"
    static let certificateURL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"

    /// The certificate URLs a verifier fetched.
    final class FetchLog: Sendable {
        private let urls = Mutex<[String]>([])
        func append(_ url: String) { urls.withLock { $0.append(url) } }
        var all: [String] { urls.withLock { $0 } }
    }

    /// A verifier whose certificate fetches answer `pem`, and the log of its fetches.
    static func verifier(serving pem: String) -> (SNSMessageVerifier, FetchLog) {
        let log = FetchLog()
        let verifier = SNSMessageVerifier(host: host) { url in
            log.append(url)
            return Array(pem.utf8)
        }
        return (verifier, log)
    }

    static func message(_ fields: [String: String]) throws -> SNSHTTPMessage {
        try SNSHTTPMessage(body: TestSNSSigner.body(fields))
    }

    @Test("signature versions 1 (SHA1) and 2 (SHA256) verify, with and without a Subject", arguments: [1, 2])
    func validSignatures(version: Int) async throws {
        let signer = try TestSNSSigner()
        let (verifier, fetches) = Self.verifier(serving: signer.certificatePEM)
        try await verifier.verify(Self.message(signer.notification(topic: Self.topic, message: #"{"data":1}"#, version: version, certificateURL: Self.certificateURL)))
        try await verifier.verify(Self.message(signer.notification(
            topic: Self.topic, message: #"{"data":2}"#, subject: "hello", version: version, certificateURL: Self.certificateURL)))
        try await verifier.verify(Self.message(signer.subscriptionConfirmation(
            topic: Self.topic, subscribeURL: "https://\(Self.host)/?Action=ConfirmSubscription&Token=t", token: "t", version: version,
            certificateURL: Self.certificateURL)))
        #expect(fetches.all == [Self.certificateURL], "the certificate is fetched once and cached")
    }

    @Test("a tampered field, a signature from another key and an unknown version are refused")
    func forged() async throws {
        let signer = try TestSNSSigner()
        let (verifier, _) = Self.verifier(serving: signer.certificatePEM)
        var fields = try signer.notification(topic: Self.topic, message: #"{"users":["a"],"data":1}"#, certificateURL: Self.certificateURL)
        fields["Message"] = #"{"data":1}"#
        await #expect(throws: SNSRejection.forged(.signature, "the signature does not match the message and the certificate at \(Self.certificateURL)")) {
            try await verifier.verify(Self.message(fields))
        }
        let other = try TestSNSSigner().notification(topic: Self.topic, message: "{}", certificateURL: Self.certificateURL)
        await #expect(throws: SNSRejection.self) { try await verifier.verify(Self.message(other)) }
        var version3 = try signer.notification(topic: Self.topic, message: "{}", certificateURL: Self.certificateURL)
        version3["SignatureVersion"] = "3"
        await #expect(throws: SNSRejection.forged(.signature, "SignatureVersion '3' is neither 1 nor 2")) { try await verifier.verify(Self.message(version3)) }
    }

    @Test("a certificate URL off the SNS host is refused without being fetched", arguments: [
        "https://evil.example.com/SimpleNotificationService-test.pem",
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example.com/SimpleNotificationService-test.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example.com/SimpleNotificationService-test.pem",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-test.pem",
        "https://sns.us-east-1.amazonaws.com/not-a-certificate",
        "https://sns.us-east-1.amazonaws.com/not-a-certificate?x=.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem?x=1",
    ])
    func foreignHost(url: String) async throws {
        let signer = try TestSNSSigner()
        let (verifier, fetches) = Self.verifier(serving: signer.certificatePEM)
        let fields = try signer.notification(topic: Self.topic, message: "{}", certificateURL: url)
        await #expect(throws: SNSRejection.self) { try await verifier.verify(Self.message(fields)) }
        #expect(fetches.all.isEmpty)
    }

    @Test("an expired certificate, or a fetch that is not a certificate, is refused and not cached")
    func badCertificates() async throws {
        let expired = try TestSNSSigner(validFrom: Date() - 86_400 * 2, validUntil: Date() - 86_400)
        let (verifier, _) = Self.verifier(serving: expired.certificatePEM)
        let fields = try expired.notification(topic: Self.topic, message: "{}", certificateURL: Self.certificateURL)
        await #expect { try await verifier.verify(Self.message(fields)) } throws: { error in
            "\(error)".contains("is not valid now")
        }
        let (garbage, fetches) = Self.verifier(serving: "<html>not found</html>")
        for _ in 0..<2 {
            await #expect { try await garbage.verify(Self.message(fields)) } throws: { error in
                "\(error)".contains("is not a PEM certificate")
            }
        }
        #expect(fetches.all.count == 2, "a failed fetch is tried again next time")
    }

    @Test("a body that is not an SNS message names the missing field")
    func malformed() throws {
        #expect(throws: SNSRejection.malformed(.shape, "the SNS message has no 'Signature'")) {
            try SNSHTTPMessage(body: TestSNSSigner.body([
                "Type": "Notification", "MessageId": "1", "TopicArn": Self.topic, "Message": "{}", "Timestamp": "t",
                "SignatureVersion": "2", "SigningCertURL": Self.certificateURL,
            ]))
        }
        #expect(throws: SNSRejection.malformed(.shape, "the body is not JSON")) { try SNSHTTPMessage(body: Array("users=a".utf8)) }
        #expect { try SNSHTTPMessage(body: Array(#"{"Type":"Bogus"}"#.utf8)) } throws: { error in
            "\(error)".contains("'Bogus' is none of SubscriptionConfirmation, Notification, UnsubscribeConfirmation")
        }
    }

    @Test("a cached key is not used past its certificate's notValidAfter")
    func keyExpiry() async throws {
        let signer = try TestSNSSigner(validFrom: Date() - 3600, validUntil: Date() + 3600)
        let clock = Mutex(Date())
        let log = FetchLog()
        let verifier = SNSMessageVerifier(host: Self.host, now: { clock.withLock { $0 } }) { url in
            log.append(url)
            return Array(signer.certificatePEM.utf8)
        }
        let fields = try signer.notification(topic: Self.topic, message: "{}", certificateURL: Self.certificateURL)
        try await verifier.verify(Self.message(fields))
        try await verifier.verify(Self.message(fields))
        #expect(log.all.count == 1)
        clock.withLock { $0 += 7200 }
        await #expect { try await verifier.verify(Self.message(fields)) } throws: { "\($0)".contains("is not valid now") }
        #expect(log.all.count == 2, "the expired key was dropped, and the certificate fetched again")
    }

    @Test("unseen certificate URLs are fetched at most 10 a minute and never push the real key out of the cache")
    func unseenURLsBounded() async throws {
        let signer = try TestSNSSigner()
        let clock = Mutex(Date())
        let log = FetchLog()
        let verifier = SNSMessageVerifier(host: Self.host, cacheCapacity: 4, now: { clock.withLock { $0 } }) { url in
            log.append(url)
            if url == Self.certificateURL { return Array(signer.certificatePEM.utf8) }
            throw URLError(.fileDoesNotExist)
        }
        let real = try signer.notification(topic: Self.topic, message: "{}", certificateURL: Self.certificateURL)
        try await verifier.verify(Self.message(real))
        for index in 0..<12 {
            let fake = try signer.notification(topic: Self.topic, message: "{}", certificateURL: "https://\(Self.host)/fake-\(index).pem")
            await #expect(throws: SNSRejection.self) { try await verifier.verify(Self.message(fake)) }
        }
        #expect(log.all.count == 10, "the real one, then 9 unseen ones: the 10-a-minute bound")
        try await verifier.verify(Self.message(real))
        #expect(log.all.count == 10, "the real key is still cached")
        clock.withLock { $0 += 61 }
        let later = try signer.notification(topic: Self.topic, message: "{}", certificateURL: "https://\(Self.host)/fake-later.pem")
        await #expect(throws: SNSRejection.self) { try await verifier.verify(Self.message(later)) }
        #expect(log.all.count == 11, "a minute later, unseen URLs are fetched again")
    }

    @Test("the SNS host of a region, and of a China region")
    func hosts() {
        #expect(SNSSigningHost.host(region: "eu-west-1") == "sns.eu-west-1.amazonaws.com")
        #expect(SNSSigningHost.host(region: "cn-north-1") == "sns.cn-north-1.amazonaws.com.cn")
    }
}
