import Foundation
import NIOHTTP1
import RouterTestSupport
import Testing

/// `notification-router dev` end to end: the real binary, real WebSocket clients, requests
/// through `POST /publish`, the `apigw` sink posting back through the management API.
@Suite("dev mode", .serialized)
struct DevModeTests {
    static func count(_ report: [String: Any], _ key: String) -> Int { report[key] as? Int ?? -1 }

    @Test("three users: multicast, broadcast, exclusion and rooms each reach exactly the right sockets")
    func audiences() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        for (name, user) in [("alice1", "alice"), ("alice2", "alice"), ("bob", "bob"), ("carol", "carol")] {
            try await clients.connect(name, as: user)
        }
        var expected: [String: [String]] = ["alice1": [], "alice2": [], "bob": [], "carol": []]

        func publish(_ request: String, data: String, to names: [String]) async throws {
            let (status, reports) = try await gateway.publish(request)
            #expect(status == 200 && reports.count == 1, "\(reports)")
            #expect(Self.count(reports[0], "delivered") == names.count, "\(request): \(reports)")
            for name in names {
                expected[name, default: []].append(data)
                try await clients.waitForMessages(name, count: expected[name]!.count)
            }
        }

        try await publish(#"{"users":["alice","bob"],"data":{"type":"notification","message":"m1"}}"#,
                          data: #"{"type":"notification","message":"m1"}"#, to: ["alice1", "alice2", "bob"])
        try await publish(#"{"data":{"n":2}}"#, data: #"{"n":2}"#, to: ["alice1", "alice2", "bob", "carol"])
        try await publish(#"{"exclude_users":["alice"],"data":{"n":3}}"#, data: #"{"n":3}"#, to: ["bob", "carol"])

        for name in ["bob", "carol"] {
            clients.send(name, #"{"action":"join","room":"lobby"}"#)
            expected[name]!.append(#"{"event":"joined","room":"lobby"}"#)
            try await clients.waitForMessages(name, count: expected[name]!.count)
        }
        try await publish(#"{"rooms":["lobby"],"data":{"n":4}}"#, data: #"{"n":4}"#, to: ["bob", "carol"])
        try await publish(#"{"rooms":["lobby"],"exclude_users":["carol"],"data":{"n":5}}"#, data: #"{"n":5}"#, to: ["bob"])

        for (name, messages) in expected {
            #expect(clients.messages(name) == messages, "\(name)")
        }
    }

    @Test("a client gone without the store being told is answered 410 and pruned, once")
    func staleConnectionPruned() async throws {
        let gateway = try await DevGateway(["--keep-stale-connections"])
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        try await clients.connect("dave1", as: "dave")
        try await clients.connect("dave2", as: "dave")
        try await clients.close("dave1")

        let first = try await gateway.publish(#"{"users":["dave"],"data":"ping"}"#)
        #expect(first.status == 200)
        #expect(Self.count(first.reports[0], "delivered") == 1)
        #expect(Self.count(first.reports[0], "gone") == 1 && Self.count(first.reports[0], "pruned") == 1)
        try await clients.waitForMessages("dave2", count: 1)

        let second = try await gateway.publish(#"{"users":["dave"],"data":"again"}"#)
        #expect(Self.count(second.reports[0], "delivered") == 1 && Self.count(second.reports[0], "gone") == 0, "pruned from the store")
    }

    @Test("with a DynamoDB store from routes.yaml, connect and disconnect write to and delete from the table")
    func dynamoStore() async throws {
        let table = "dev-\(UUID().uuidString.prefix(8))"
        try MotoScripts.createTable(table, [:])
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("\(table).yaml")
        try """
            version: 1
            stores: { connections: { type: dynamodb, table: \(table) } }
            sinks: { websocket: { type: apigw, endpoint: "${DEV_GATEWAY_URL}" } }
            routes: [{ name: main, filters: [exclude], to: websocket }]
            """.write(to: routes, atomically: true, encoding: .utf8)
        let gateway = try await DevGateway(["--routes", routes.path], environment: try MotoScripts.awsEnvironment())
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        try await clients.connect("f", as: "fay")
        let items = try MotoScripts.items(table)
        #expect(items.count == 1 && items.first?["user_id"] == "fay" && items.first?["connection_id"]?.count == 16)
        let (status, reports) = try await gateway.publish(#"{"users":["fay"],"data":"from dynamodb"}"#)
        #expect(status == 200 && Self.count(reports[0], "delivered") == 1)
        try await clients.close("f")
        var attempts = 0
        while !(try MotoScripts.items(table).isEmpty), attempts < 100 {
            attempts += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try MotoScripts.items(table).isEmpty)
    }

    @Test("/publish honours from: and match: as the table's sources would: ?source= picks the source (default the first), attribute.NAME= the attributes")
    func publishHonoursRoutes() async throws {
        let routes = FileManager.default.temporaryDirectory.appendingPathComponent("dev-routes-\(UUID()).yaml")
        try """
            version: 1
            stores: { connections: { type: memory } }
            sinks: { websocket: { type: apigw, endpoint: "${DEV_GATEWAY_URL}" } }
            sources:
              queue: { type: sqs, queue: "arn:aws:sqs:us-east-1:1:notifications" }
              topic: { type: sns, topic: "arn:aws:sns:us-east-1:1:alerts" }
            routes:
              - { name: queued, from: [queue], to: websocket }
              - { name: paging, from: [topic], match: { kind: [page] }, to: websocket }
            """.write(to: routes, atomically: true, encoding: .utf8)
        let gateway = try await DevGateway(["--routes", routes.path])
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        try await clients.connect("ann", as: "ann")
        let request = #"{"users":["ann"],"data":"n"}"#

        let byDefault = try await gateway.publish(request)
        #expect(byDefault.status == 200 && byDefault.reports.map { $0["route"] as? String } == ["queued"], "the first source, queue: \(byDefault)")
        let paged = try await gateway.publish(request, query: "?source=topic&attribute.kind=page")
        #expect(paged.status == 200 && paged.reports.map { $0["route"] as? String } == ["paging"], "\(paged)")
        let chat = try await gateway.publish(request, query: "?source=topic&attribute.kind=chat")
        #expect(chat.status == 400 && chat.reports.isEmpty, "no route takes topic messages of kind chat: \(chat)")
        let unknown = try await gateway.publish(request, query: "?source=nowhere")
        #expect(unknown.status == 400 && unknown.reports.isEmpty)
        // A last request as a barrier: a socket receives in order, so anything refused above
        // that had reached ann would come before it.
        #expect(try await gateway.publish(#"{"users":["ann"],"data":"last"}"#, query: "?source=queue").status == 200)
        #expect(try await clients.waitForMessages("ann", count: 3) == [#""n""#, #""n""#, #""last""#])
    }

    @Test("an invalid request is answered 400 with the reason; a socket without a user id is refused")
    func refusals() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let (status, reports) = try await gateway.publish(#"{"users":"alice","data":1}"#)
        #expect(status == 400)
        #expect(reports.first?["outcome"] as? String == "invalid")
        #expect((reports.first?["reason"] as? String)?.contains("users must be an array of strings") == true, "\(reports)")

        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        let anonymous = try await clients.connectWithoutUser("anonymous")
        #expect(anonymous.closeCode == 1008 && anonymous.reason == "no user id: connect to /?user_id=NAME or send the header X-User-Id", "\(anonymous)")
        try await eventually("the refusal logged") { gateway.process.standardError.contains("connect_refused: a socket from 127.0.0.1 has no user id") }
    }

    @Test("dev says first which route table it uses: the built-in default's dev environment in an empty directory")
    func saysWhichTable() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        #expect(gateway.process.lines.first == "notification-router dev: route table: built-in default (environment: dev)", "\(gateway.process.lines)")
    }

    @Test("every other refusal says why in its body and in one log line: 413 with the limit, 405 with Allow: POST, 404 naming the paths; answers end with a newline")
    func refusalsExplained() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let tooLarge = try await gateway.request(.POST, "/publish", body: Array(repeating: UInt8(ascii: " "), count: 1_100_000))
        #expect(tooLarge.status == 413 && tooLarge.text == #"{"message":"the body is over the 1 MiB (1048576 bytes) limit of \/publish"}"# + "\n", "\(tooLarge)")
        let wrongMethod = try await gateway.request(.GET, "/publish")
        #expect(wrongMethod.status == 405 && wrongMethod.headers["Allow"] == ["POST"] && wrongMethod.text.contains("takes POST with a notification request"), "\(wrongMethod)")
        let unknown = try await gateway.request(.GET, "/nowhere")
        #expect(unknown.status == 404 && unknown.text.contains("no such path: \\/nowhere") && unknown.text.contains("POST \\/publish"), "\(unknown)")
        let invalid = try await gateway.request(.POST, "/publish", body: Array(#"{"users":"ann","data":1}"#.utf8))
        #expect(invalid.status == 400 && invalid.text.hasPrefix(#"{"reports":[{"outcome":"invalid","reason":"users must be an array of strings"#) && invalid.text.hasSuffix("}\n"), "\(invalid)")
        try await eventually("each refusal logged") {
            let log = gateway.process.standardError
            return log.contains("publish_refused: the body is over the 1 MiB limit of /publish") && log.contains("request_refused: GET /publish; only POST is served there")
                && log.contains("request_refused: GET /nowhere is not a path of the gateway")
        }
    }

    @Test("data reaches the socket byte for byte, and appears in no log line at trace level, delivered or refused")
    func payloadThroughDev() async throws {
        let gateway = try await DevGateway(environment: ["LOG_LEVEL": "trace"])
        defer { gateway.stop() }
        let clients = try WebSocketClients(gateway.url)
        defer { clients.stop() }
        try await clients.connect("ann", as: "ann")
        let data = ServeModeTests.oddData
        #expect(try await gateway.publish(#"{"users":["ann"], "data": \#(data) }"#).status == 200)
        #expect(try await clients.waitForMessages("ann", count: 1) == [data])
        let (status, reports) = try await gateway.publish(#"{"users":"ann","data":"PAYLOAD-MARKER-5c1e"}"#)
        #expect(status == 400 && (reports.first?["reason"] as? String)?.contains("users must be an array of strings") == true, "\(reports)")
        let log = gateway.process.standardError + gateway.process.lines.joined(separator: "\n")
        #expect(!log.isEmpty)
        #expect(!log.contains("PAYLOAD-MARKER-5c1e"), "\(log.split(separator: "\n").filter { $0.contains("PAYLOAD-MARKER") })")
    }
}
