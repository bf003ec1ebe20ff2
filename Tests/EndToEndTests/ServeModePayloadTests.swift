import Foundation
import RouterTestSupport
import Testing

/// What the daemon does with `data` (README "Request format"): posted byte for byte through
/// every way in, and never written to a log, even at trace level.
extension ServeModeTests {
    /// Insignificant whitespace, escaped unicode and number forms that a parse-and-print would change.
    static let oddData = #"{ "n" : 1.50,"e":1e3, "s":"caf\u00e9 \ud83d\ude00","z" :[ -0 ,true ,null ], "m":"PAYLOAD-MARKER-5c1e" }"#

    @Test("data reaches the connection byte for byte through the SNS envelope in SQS and the SNS endpoint, and appears in no log line at trace level")
    func payloadThroughTheDaemon() async throws {
        let signer = try TestSNSSigner()
        let topic = SNSEndpointTests.topic
        try await FakeHTTPServer.with({ request in
            request.path == "/SimpleNotificationService-test.pem" ? .text(200, signer.certificatePEM) : .text(404, "no such thing")
        }) { snsURL in
            try await Self.with(
                connections: ["ann": ["ann-1"]], httpTopic: topic, environment: ["AWS_ENDPOINT_URL_SNS": snsURL, "LOG_LEVEL": "trace"]
            ) { daemon in
                let request = #"{"users":["ann"], "data": \#(Self.oddData) }"#
                try daemon.publish(request)
                try await eventually("delivered through the queue") { daemon.connections.received["ann-1"]?.count == 1 }

                let signed = try signer.notification(topic: topic, message: request, certificateURL: SNSEndpointTests.certificateURL)
                #expect(try await SNSEndpointTests.post(daemon, signed).status == 200)

                let invalidID = UUID().uuidString
                let invalid = try signer.notification(
                    topic: topic, message: #"{"users":"ann","data":"PAYLOAD-MARKER-5c1e"}"#, messageID: invalidID, certificateURL: SNSEndpointTests.certificateURL)
                let refused = try await SNSEndpointTests.post(daemon, invalid)
                #expect(refused.status == 200, "an invalid request is answered so that SNS does not retry it: \(refused)")
                try daemon.publish(#"{"users":["ann"],"data":"PAYLOAD-MARKER-5c1e","exclude_users":7}"#)
                try await eventually("the invalid queued request refused") { daemon.process.standardError.contains("exclude_users must be an array of strings") }
                #expect(try daemon.queued() == 1, "only the invalid one is left, for the dead-letter queue (on_invalid: dlq)")

                let log = daemon.process.standardError
                #expect(daemon.connections.received["ann-1"]?.map { String(decoding: $0, as: UTF8.self) } == [Self.oddData, Self.oddData], "\(log)")
                #expect(log.contains("invalid_request") && log.contains(invalidID) && log.contains("users must be an array of strings"), "logged with its reason and id")
                #expect(log.contains("trace") || log.contains("debug"), "the daemon logged at trace level")
                #expect(!log.contains("PAYLOAD-MARKER-5c1e"), "\(log.split(separator: "\n").filter { $0.contains("PAYLOAD-MARKER") })")
            }
        }
    }
}
