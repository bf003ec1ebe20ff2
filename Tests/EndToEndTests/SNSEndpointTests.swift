import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RouterTestSupport
import Synchronization
import Testing

/// The daemon's `POST /sns/<source>` end to end: messages signed by a key made here (its
/// certificate served by a fake SNS host), and moto's own SNS HTTP delivery.
@Suite("daemon mode: SNS HTTP endpoint")
struct SNSEndpointTests {
    static let topic = "arn:aws:sns:us-east-1:123456789012:signed"
    static let certificateURL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"

    /// The requests a fake server saw.
    final class RequestLog: Sendable {
        private let requests = Mutex<[FakeRequest]>([])
        func append(_ request: FakeRequest) { requests.withLock { $0.append(request) } }
        var uris: [String] { requests.withLock { $0.map(\.uri) } }
    }

    struct Answer {
        let status: UInt
        let text: String
    }

    static func post(_ daemon: ServeModeTests.Daemon, source: String = "http", _ fields: [String: String], type: String? = nil) async throws -> Answer {
        try await post(daemon, source: source, body: TestSNSSigner.body(fields), headers: [("x-amz-sns-message-type", type ?? fields["Type"] ?? "")])
    }

    static func post(_ daemon: ServeModeTests.Daemon, source: String = "http", body: [UInt8], headers: [(String, String)]) async throws -> Answer {
        var request = HTTPClientRequest(url: "\(daemon.url)/sns/\(source)")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return Answer(status: response.status.code, text: String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test("signed notifications (v1 and v2) are delivered once; forged, foreign and unsigned ones get 403 and reach nobody")
    func signedMessages() async throws {
        let signer = try TestSNSSigner()
        let log = RequestLog()
        try await FakeHTTPServer.with({ request in
            log.append(request)
            if request.path == "/SimpleNotificationService-test.pem" { return .text(200, signer.certificatePEM) }
            if request.uri.contains("Action=ConfirmSubscription") { return .text(200, "<ConfirmSubscriptionResponse/>") }
            return .text(404, "no such thing")
        }) { snsURL in
            try await ServeModeTests.with(
                connections: ["ann": ["ann-1"], "bob": ["bob-1"], "cy": ["cy-1"]], httpTopic: Self.topic, environment: ["AWS_ENDPOINT_URL_SNS": snsURL]
            ) { daemon in
                let toAnn = try signer.notification(topic: Self.topic, message: #"{"users":["ann"],"data":"v1"}"#, version: 1, certificateURL: Self.certificateURL)
                let toBob = try signer.notification(topic: Self.topic, message: #"{"users":["bob"],"data":"v2"}"#, version: 2, certificateURL: Self.certificateURL)
                let first = try await Self.post(daemon, toAnn)
                #expect(first.status == 200 && first.text.contains(#""delivered":1"#), "\(first)")
                #expect(try await Self.post(daemon, toBob).status == 200)
                #expect(daemon.connections.received["ann-1"] == [Array(#""v1""#.utf8)])
                #expect(daemon.connections.received["bob-1"] == [Array(#""v2""#.utf8)])

                let again = try await Self.post(daemon, toBob)
                #expect(again.status == 200 && again.text.contains("already delivered"), "an SNS retry is not delivered twice")

                daemon.connections.set("cy-1", .failFirst(6))
                let toCy = try signer.notification(topic: Self.topic, message: #"{"users":["cy"],"data":"retry"}"#, certificateURL: Self.certificateURL)
                let failing = try await Self.post(daemon, toCy)
                #expect(failing.status == 503 && failing.text.contains(#""failed":1"#), "a transient failure asks SNS to retry: \(failing)")
                let retried = try await Self.post(daemon, toCy)
                #expect(retried.status == 200 && daemon.connections.received["cy-1"] == [Array(#""retry""#.utf8)], "the retry delivers: \(retried)")

                var tampered = toAnn
                tampered["Message"] = #"{"data":"everyone"}"#
                tampered["MessageId"] = UUID().uuidString
                let forged = try await Self.post(daemon, tampered)
                #expect(forged.status == 403 && forged.text == "forbidden: the signature does not verify\n", "\(forged)")

                let otherTopic = "arn:aws:sns:us-east-1:123456789012:other"
                let wrongTopic = try await Self.post(daemon, signer.notification(topic: otherTopic, message: #"{"data":1}"#, certificateURL: Self.certificateURL))
                #expect(wrongTopic.status == 403 && wrongTopic.text == "forbidden: the message is not from this source's topic\n", "\(wrongTopic)")
                #expect(!wrongTopic.text.contains("arn:aws:sns"), "the answer never names a topic")

                let foreignURL = "https://certificates.example.com/SimpleNotificationService-test.pem"
                let foreign = try await Self.post(daemon, signer.notification(topic: Self.topic, message: #"{"data":1}"#, certificateURL: foreignURL))
                #expect(foreign.status == 403 && foreign.text == "forbidden: the signing certificate is not acceptable\n", "\(foreign)")
                #expect(daemon.process.standardError.contains("is not on sns.us-east-1.amazonaws.com"), "the log says which check, in detail")

                let raw = try await Self.post(daemon, body: Array(#"{"data":"raw"}"#.utf8), headers: [
                    ("x-amz-sns-message-type", "Notification"), ("x-amz-sns-rawdelivery", "true"),
                    ("x-amz-sns-topic-arn", Self.topic), ("x-amz-sns-message-id", UUID().uuidString),
                ])
                #expect(raw.status == 403 && raw.text == "forbidden: unsigned raw message delivery is not accepted here\n", "\(raw)")

                let notJSON = try await Self.post(daemon, body: Array("hello".utf8), headers: [("x-amz-sns-message-type", "Notification")])
                #expect(notJSON.status == 400)
                #expect(try await Self.post(daemon, source: "nowhere", toAnn).status == 404)

                #expect(daemon.connections.posts == 2 + 7, "nothing refused reached a connection")
                #expect(log.uris.filter { $0.hasSuffix(".pem") } == ["/SimpleNotificationService-test.pem"], "fetched once, then cached")

                let confirmURL = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=\(Self.topic)&Token=secret-token"
                let confirmation = try await Self.post(daemon, signer.subscriptionConfirmation(
                    topic: Self.topic, subscribeURL: confirmURL, token: "secret-token", certificateURL: Self.certificateURL))
                #expect(confirmation.status == 200, "\(confirmation)")
                #expect(log.uris.contains { $0.hasPrefix("/?") && $0.contains("Action=ConfirmSubscription") && $0.contains("Token=secret-token") })

                let metrics = try await daemon.metrics()
                #expect(metrics[#"notification_router_sns_received_total{source="http"}"#] == 5)
                #expect(metrics[#"notification_router_sns_duplicates_total{source="http"}"#] == 1)
                #expect(metrics[#"notification_router_sns_rejected_total{source="http"}"#] == 5)
                #expect(daemon.process.standardError.contains("sns_rejected"))

                let replayed = try signer.notification(
                    topic: Self.topic, message: #"{"users":["ann"],"data":"old"}"#, certificateURL: Self.certificateURL, sent: Date() - 7200)
                let replay = try await Self.post(daemon, replayed)
                #expect(replay.status == 403 && replay.text == "forbidden: the message is older than the source accepts\n", "\(replay)")
                #expect(daemon.connections.received["ann-1"] == [Array(#""v1""#.utf8)], "a replay two hours late reaches nobody")

                let forgedLog = try signer.notification(topic: "arn:aws:sns:us-east-1:123456789012:x\nsns_rejected: fake line", message: "{}", certificateURL: Self.certificateURL)
                _ = try await Self.post(daemon, forgedLog)
                try await Task.sleep(for: .milliseconds(200))
                #expect(!daemon.process.standardError.contains("\nsns_rejected: fake line"), "a caller's newline cannot start a log line")
            }
        }
    }

    @Test("raw message delivery, when the source accepts it, is delivered by the topic and message id headers")
    func rawDelivery() async throws {
        let options = #", raw_delivery: true, basic_auth: { user: sns, password: "${SNS_PASSWORD}" }"#
        try await ServeModeTests.with(
            connections: ["ann": ["ann-1"]], httpTopic: Self.topic, httpOptions: options, environment: ["SNS_PASSWORD": "s3cret"]
        ) { daemon in
            func raw(topic: String, messageID: String?, password: String? = "s3cret") async throws -> Answer {
                let credentials = password.map { [("Authorization", "Basic " + Data("sns:\($0)".utf8).base64EncodedString())] } ?? []
                return try await Self.post(daemon, body: Array(#"{"users":["ann"],"data":"raw"}"#.utf8), headers: [
                    ("x-amz-sns-message-type", "Notification"), ("x-amz-sns-rawdelivery", "true"), ("x-amz-sns-topic-arn", topic),
                ] + (messageID.map { [("x-amz-sns-message-id", $0)] } ?? []) + credentials)
            }
            let anonymous = try await raw(topic: Self.topic, messageID: "raw-0", password: nil)
            #expect(anonymous.status == 403 && anonymous.text == "forbidden: the request does not carry this endpoint's credentials\n")
            #expect(try await raw(topic: Self.topic, messageID: "raw-0", password: "guess").status == 403)
            let delivered = try await raw(topic: Self.topic, messageID: "raw-1")
            #expect(delivered.status == 200 && daemon.connections.received["ann-1"] == [Array(#""raw""#.utf8)], "\(delivered)")
            #expect(try await raw(topic: Self.topic, messageID: "raw-1").text.contains("already delivered"))
            #expect(try await raw(topic: "arn:aws:sns:us-east-1:123456789012:other", messageID: "raw-2").status == 403)
            #expect(try await raw(topic: Self.topic, messageID: nil).status == 400)
            #expect(daemon.connections.posts == 1)
        }
    }

    @Test("moto's own SNS HTTP delivery is verified with moto's certificate and delivered")
    func motoDelivery() async throws {
        let topic = try MotoScripts.run(#"print(sns.create_topic(Name="http-\#(UUID().uuidString.prefix(8))")["TopicArn"])"#)
        try await ServeModeTests.with(connections: ["ann": ["ann-1", "ann-2"], "bob": ["bob-1"]], httpTopic: topic) { daemon in
            _ = try MotoScripts.run(#"sns.subscribe(TopicArn="\#(topic)", Protocol="http", Endpoint="\#(daemon.url)/sns/http")"#)
            _ = try MotoScripts.run(#"sns.publish(TopicArn="\#(topic)", Message='{"users":["ann"],"data":{"via":"http"}}')"#)
            try await eventually("both of ann's connections") { daemon.connections.received.count == 2 }
            #expect(Set(daemon.connections.received.keys) == ["ann-1", "ann-2"])
            #expect(daemon.connections.received.values.allSatisfy { $0 == [Array(#"{"via":"http"}"#.utf8)] })
            let metrics = try await daemon.metrics()
            #expect(metrics[#"notification_router_sns_received_total{source="http"}"#] == 1)
            #expect(metrics[#"notification_router_sns_rejected_total{source="http"}"#, default: 0] == 0)
        }
    }
}
