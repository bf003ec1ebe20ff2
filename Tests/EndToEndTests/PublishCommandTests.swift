import Foundation
import RouterTestSupport
import Testing

/// `notification-router publish` against a dev gateway, and SQS and SNS on moto.
@Suite("notification-router publish")
struct PublishCommandTests {
    static let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router")

    @Test("--local with flags: the report is printed and the client receives data byte for byte")
    func local() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        try await clients.connect("a", as: "alice")
        let result = try CommandResult.run(Self.binary, ["publish", "--local", gateway.url, "--users", "alice, bob", "--data", #"{"b": 1,"a" :2}"#])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(#""delivered":1"#))
        #expect(try await clients.waitForMessages("a", count: 1) == [#"{"b": 1,"a" :2}"#])
    }

    @Test("--queue: the request arrives on the queue as the message body; the message id is printed")
    func queue() throws {
        let name = "publish-\(UUID().uuidString.prefix(8))"
        let url = try MotoScripts.run(#"print(sqs.create_queue(QueueName="\#(name)")["QueueUrl"])"#)
        let request = #"{"users":["alice"],"data":{"type":"notification","message":"hi"}}"#
        let result = try CommandResult.run(Self.binary, ["publish", "--queue", url, "-"], environment: try MotoScripts.awsEnvironment(), input: request)
        #expect(result.status == 0, "\(result.standardError)")
        let received = try MotoScripts.run(#"m = sqs.receive_message(QueueUrl="\#(url)", WaitTimeSeconds=5)["Messages"][0]; print(json.dumps([m["MessageId"], m["Body"]]))"#)
        let pair = try JSONSerialization.jsonObject(with: Data(received.utf8)) as? [String]
        #expect(pair == [result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), request])
    }

    @Test("--topic: the request is published as the SNS Message (seen through a raw SQS subscription)")
    func topic() throws {
        let name = "publish-\(UUID().uuidString.prefix(8))"
        let created = try MotoScripts.run("""
            t = sns.create_topic(Name="\(name)")["TopicArn"]
            q = sqs.create_queue(QueueName="\(name)")["QueueUrl"]
            a = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=a, Attributes={"RawMessageDelivery": "true"})
            print(json.dumps([t, q]))
            """)
        let names = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String])
        let result = try CommandResult.run(Self.binary, ["publish", "--topic", names[0], #"{"data":"to everyone"}"#], environment: try MotoScripts.awsEnvironment())
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).count == 36)
        let body = try MotoScripts.run(#"print(sqs.receive_message(QueueUrl="\#(names[1])", WaitTimeSeconds=5)["Messages"][0]["Body"])"#)
        #expect(body == #"{"data":"to everyone"}"#)
    }

    @Test("--to SOURCE sends through the route table's own source: an sqs source's queue gets the request; an unknown source is named")
    func throughTableSource() throws {
        let name = "publish-to-\(UUID().uuidString.prefix(8))"
        let url = try MotoScripts.run(#"print(sqs.create_queue(QueueName="\#(name)")["QueueUrl"])"#)
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).yaml")
        try """
            version: 1
            stores: { connections: { type: memory } }
            sinks: { websocket: { type: apigw, endpoint: "http://127.0.0.1:9" } }
            sources: { orders: { type: sqs, queue: "\(url)", region: us-east-1 } }
            routes: [{ name: main, from: [orders], to: websocket }]
            """.write(to: routes, atomically: true, encoding: .utf8)
        let request = #"{"users":["alice"],"data":"through the table"}"#
        let result = try CommandResult.run(Self.binary, ["publish", "--routes", routes.path, "--to", "orders", request], environment: try MotoScripts.awsEnvironment())
        #expect(result.status == 0, "\(result.standardError)")
        let received = try MotoScripts.run(#"m = sqs.receive_message(QueueUrl="\#(url)", WaitTimeSeconds=5)["Messages"][0]; print(json.dumps([m["MessageId"], m["Body"]]))"#)
        let pair = try JSONSerialization.jsonObject(with: Data(received.utf8)) as? [String]
        #expect(pair == [result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), request])

        let unknown = try CommandResult.run(Self.binary, ["publish", "--routes", routes.path, "--to", "nowhere", request], environment: try MotoScripts.awsEnvironment())
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no source named 'nowhere'") && unknown.standardError.contains("its sources: orders"), "\(unknown.standardError)")
    }

    @Test("an invalid request fails with the parser's reason and exit 1; two targets, or --data that is not JSON (its position in what was typed), are bad usage, exit 2")
    func refusals() throws {
        let invalid = try CommandResult.run(Self.binary, ["publish", "--local", "http://127.0.0.1:9", #"{"users":"alice","data":1}"#])
        #expect(invalid.status == 1)
        #expect(invalid.standardError.contains("users must be an array of strings, got string at $.users"), "\(invalid.standardError)")
        let usage = try CommandResult.run(Self.binary, ["publish", "--local", "http://127.0.0.1:9", "--topic", "arn:aws:sns:us-east-1:1:t", "--data", "1"])
        #expect(usage.status == 2)
        #expect(usage.standardError.contains("give exactly one of --local URL, --queue URL and --topic ARN"))
        let notJSON = try CommandResult.run(Self.binary, ["publish", "--local", "http://127.0.0.1:9", "--data", "hi"])
        #expect(notJSON.status == 2)
        #expect(notJSON.standardError.contains(#"--data is not JSON: unexpected character 'h' at byte 0 of 'hi' (a string needs its quotes: --data '"hi"')"#), "the position in what was typed: \(notJSON.standardError)")
    }
}
