import Foundation
import RouterTestSupport
import Testing

/// Lambda mode end to end: the real binary as `bootstrap` under a fake Runtime API, DynamoDB
/// on moto, the fake `@connections` server as API Gateway.
@Suite("Lambda mode")
struct LambdaModeTests {
    static let users = ["alice": ["alice-1=", "alice-2+"], "bob": ["bob/1="], "carol": ["carol-1"]]

    static let multicast = #"{"users":["alice","bob"],"data":{"type":"notification","message":"You have a new message"}}"#
    static let broadcast = #"{"data":{"type":"notification","message":"Maintenance at 22:00"}}"#
    static let exclusion = #"{"exclude_users":["carol"],"data":{"type":"announcement","message":{"user_id":"carol","status":"OFFLINE"}}}"#

    /// The payload inside a request: what each connection must receive, byte for byte.
    static func data(_ request: String) -> String {
        String(request[request.range(of: #""data":"#)!.upperBound...].dropLast())
    }

    @Test("drop-in: with only APIGW_ENDPOINT and CONNECTIONS_TABLE_NAME, the original's three requests reach exactly their connections, as SNS and as SQS")
    func dropIn() async throws {
        try await LambdaHarness.with(connections: Self.users) { lambda in
            let sns = try await lambda.runtime.invoke(LambdaHarness.snsEvent(Self.multicast))
            #expect(sns.kind == "response", "\(sns.body)")
            let sqs = try await lambda.runtime.invoke(LambdaHarness.sqsEvent([("m-2", Self.broadcast), ("m-3", Self.exclusion)]))
            #expect(sqs.kind == "response" && sqs.json["batchItemFailures"] as? [Any] != nil, "\(sqs.body)")
            #expect((sqs.json["batchItemFailures"] as? [Any])?.isEmpty == true, "\(sqs.body)")

            let (m, b, x) = (Self.data(Self.multicast), Self.data(Self.broadcast), Self.data(Self.exclusion))
            // Exact lists (sorted: the two SQS records run concurrently), so a duplicate post fails.
            let received = lambda.received().mapValues { $0.sorted() }
            #expect(received["alice-1="] == [m, b, x].sorted())
            #expect(received["alice-2+"] == [m, b, x].sorted())
            #expect(received["bob/1="] == [m, b, x].sorted())
            #expect(received["carol-1"] == [b])
            #expect(received.count == 4 && lambda.connections.posts == 10, "one post per target connection, no more")
        }
    }

    @Test("an SQS batch of 10: two poison records in batchItemFailures, duplicate users queried once, stale connections pruned once")
    func sqsBatch() async throws {
        let users = Self.users.merging(["dave": ["dave-stale-1", "dave-live"], "erin": ["erin-stale"]]) { $1 }
        try await LambdaHarness.with(connections: users) { lambda in
            lambda.connections.set("dave-stale-1", .gone)
            lambda.connections.set("erin-stale", .gone)
            var records: [(id: String, body: String)] = (0..<8).map { index in
                ("ok-\(index)", #"{"users":["dave","erin","alice"],"data":{"n":\#(index)}}"#)
            }
            records.insert(("poison-json", #"{"users":["dave"],"data":"#), at: 3)
            records.insert(("poison-type", #"{"users":"dave","data":1}"#), at: 7)
            let answer = try await lambda.runtime.invoke(LambdaHarness.sqsEvent(records))
            #expect(answer.kind == "response", "\(answer.body)")
            let failures = (answer.json["batchItemFailures"] as? [[String: String]] ?? []).compactMap { $0["itemIdentifier"] }
            #expect(Set(failures) == ["poison-json", "poison-type"])

            let expected = (0..<8).map { #"{"n":\#($0)}"# }.sorted()
            for id in ["dave-live", "alice-1=", "alice-2+"] {
                #expect(lambda.received()[id]?.sorted() == expected, "\(id) has each request exactly once")
            }
            #expect(lambda.connections.posts == 8 * 5, "8 requests × (dave's 2, erin's 1, alice's 2 connections), no retries")
            #expect(try lambda.connectionIDs() == Set(users.values.flatMap { $0 }).subtracting(["dave-stale-1", "erin-stale"]))
            #expect(lambda.dynamo.count("Query") == 3, "dave, erin and alice queried once each for the whole batch: \(lambda.dynamo.operations)")
            #expect(lambda.dynamo.count("BatchWriteItem") == 1, "the two stale connections pruned in one write: \(lambda.dynamo.operations)")
            let log = lambda.process.lines.joined(separator: "\n")
            #expect(log.contains("poison-type") && log.contains("users must be an array of strings"), "the poison record is logged with its id and reason")
            #expect(log.contains("route table: built-in default (no environment applied)"), "it says which table it runs")
            let emf = lambda.metrics(route: "default")
            #expect(emf.count == 1 && emf.first?["Pruned"] as? Int == 2 && emf.first?["Delivered"] as? Int == 24 && emf.first?["Invalid"] as? Int == 2, "\(emf)")
        }
    }

    @Test("on_invalid: drop acknowledges invalid records instead of returning them")
    func invalidDropped() async throws {
        let routes = """
            version: 1
            stores: { connections: { type: dynamodb, table: "${CONNECTIONS_TABLE_NAME}" } }
            sinks: { websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}" } }
            routes: [{ name: main, to: websocket, on_invalid: drop }]
            """
        try await LambdaHarness.with(connections: Self.users, routes: routes) { lambda in
            let answer = try await lambda.runtime.invoke(LambdaHarness.sqsEvent([("bad", "not json"), ("good", Self.broadcast)]))
            #expect((answer.json["batchItemFailures"] as? [Any])?.isEmpty == true, "\(answer.body)")
            #expect(lambda.received()["carol-1"]?.count == 1)
        }
    }

    @Test("$connect writes the connection with connected_at and expires_at, a notification reaches it, $disconnect deletes it; no user id is refused 401")
    func lifecycle() async throws {
        try await LambdaHarness.with(connections: [:]) { lambda in
            let connect = #"{"requestContext":{"eventType":"CONNECT","routeKey":"$connect","connectionId":"zed-conn=","connectedAt":1764403200000},"queryStringParameters":{"user_id":"zed"}}"#
            #expect(try await lambda.runtime.invoke(connect).json["statusCode"] as? Int == 200)
            let item = try #require(try lambda.items().first)
            #expect(item["user_id"] == "zed" && item["connection_id"] == "zed-conn=")
            let connectedAt = try #require(item["connected_at"].flatMap(Int.init))
            #expect(item["expires_at"].flatMap(Int.init) == connectedAt + 7200)

            lambda.connections.addLive("zed-conn=")
            let direct = try await lambda.runtime.invoke(#"{"users":["zed"],"data":"hi zed"}"#)
            #expect(direct.kind == "response" && direct.body.contains(#""delivered":1"#), "\(direct.body)")
            #expect(lambda.received()["zed-conn="] == [#""hi zed""#])

            let disconnect = #"{"requestContext":{"eventType":"DISCONNECT","routeKey":"$disconnect","connectionId":"zed-conn="}}"#
            #expect(try await lambda.runtime.invoke(disconnect).json["statusCode"] as? Int == 200)
            #expect(try lambda.items().isEmpty)

            let anonymous = #"{"requestContext":{"eventType":"CONNECT","routeKey":"$connect","connectionId":"anon="},"queryStringParameters":null}"#
            #expect(try await lambda.runtime.invoke(anonymous).json["statusCode"] as? Int == 401)
            #expect(try lambda.items().isEmpty)
        }
    }

    /// The deadline is 10 s away rather than the 300 ms of the issue: on a loaded 2-core CI
    /// machine (moto and the Python peers of parallel tests) even 2 s was missed by the fast
    /// posts once. The behaviour at the deadline is the same at any distance.
    @Test("a deadline 10 s away with a connection slower than that: exactly the unfinished records come back")
    func deadline() async throws {
        // An in-memory store filled by $connect events, so that only the sink's timing matters.
        let routes = """
            version: 1
            stores: { connections: { type: memory } }
            sinks: { websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}" } }
            routes: [{ name: main, to: websocket }]
            """
        try await LambdaHarness.with(connections: ["fast": ["fast-1"], "slow": ["slow-1"]], routes: routes) { lambda in
            for (user, id) in [("fast", "fast-1"), ("slow", "slow-1")] {
                let connect = #"{"requestContext":{"eventType":"CONNECT","connectionId":"\#(id)"},"queryStringParameters":{"user_id":"\#(user)"}}"#
                #expect(try await lambda.runtime.invoke(connect).json["statusCode"] as? Int == 200)
            }
            lambda.connections.set("slow-1", .delay(.seconds(12)))
            // A warm function: the first invocation opens the connection to API Gateway.
            _ = try await lambda.runtime.invoke(#"{"users":["fast"],"data":0}"#)
            let records: [(id: String, body: String)] = [
                ("to-fast", #"{"users":["fast"],"data":1}"#), ("to-slow", #"{"users":["slow"],"data":2}"#),
                ("to-both", #"{"users":["fast","slow"],"data":3}"#), ("to-fast-2", #"{"users":["fast"],"data":4}"#),
            ]
            let answer = try await lambda.runtime.invoke(LambdaHarness.sqsEvent(records), timeout: .seconds(10))
            let failures = (answer.json["batchItemFailures"] as? [[String: String]] ?? []).compactMap { $0["itemIdentifier"] }
            #expect(Set(failures) == ["to-slow", "to-both"], "\(answer.body)")
            #expect(lambda.received()["fast-1"]?.count == 4)
        }
    }

    @Test("an SNS delivery with a transient failure is an invocation error, so SNS retries")
    func snsRetry() async throws {
        try await LambdaHarness.with(connections: ["ann": ["ann-1"]]) { lambda in
            lambda.connections.set("ann-1", .status(500))
            let answer = try await lambda.runtime.invoke(LambdaHarness.snsEvent(#"{"users":["ann"],"data":1}"#))
            #expect(answer.kind == "error" && answer.errorType == "DeliveryIncomplete", "\(answer.body)")
        }
    }

    @Test("an SQS body that is an SNS envelope is unwrapped")
    func envelope() async throws {
        try await LambdaHarness.with(connections: Self.users) { lambda in
            let envelope = String(decoding: try JSONSerialization.data(withJSONObject: [
                "Type": "Notification", "MessageId": "sns-1", "TopicArn": LambdaHarness.topicARN, "Message": Self.multicast,
            ]), as: UTF8.self)
            let answer = try await lambda.runtime.invoke(LambdaHarness.sqsEvent([("wrapped", envelope)]))
            #expect((answer.json["batchItemFailures"] as? [Any])?.isEmpty == true, "\(answer.body)")
            #expect(lambda.received()["bob/1="] == [Self.data(Self.multicast)])
        }
    }

    @Test("AWS_LAMBDA_MAX_CONCURRENCY=2: a second invocation runs while the first is still posting")
    func concurrency() async throws {
        try await LambdaHarness.with(connections: ["slow": ["slow-1"], "fast": ["fast-1"]], environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "2"]) { lambda in
            // slow-1 answers only once another post was delivered: with one invocation at a
            // time it would hold up the second invocation and end in a 500 after a minute.
            lambda.connections.set("slow-1", .holdUntilDelivered(1))
            async let slow = lambda.runtime.invoke(#"{"users":["slow"],"data":1}"#)
            try await eventually("the slow post begun") { lambda.connections.posts >= 1 }
            let fast = try await lambda.runtime.invoke(#"{"users":["fast"],"data":2}"#)
            #expect(fast.kind == "response" && fast.body.contains(#""delivered":1"#), "\(fast.body)")
            let slowAnswer = try await slow
            #expect(slowAnswer.kind == "response" && slowAnswer.body.contains(#""delivered":1"#), "\(slowAnswer.body)")
        }
    }

    @Test("a broken routes.yaml is reported through init/error with its file:line:column")
    func brokenRoutes() async throws {
        let routes = """
            version: 1
            sinks: { websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}" } }
            routes: [{ name: main, to: websockets }]
            """
        try await LambdaHarness.with(connections: [:], routes: routes) { lambda in
            let error = try await lambda.runtime.waitForInitError()
            #expect(error.errorType == "Runtime.InvalidConfiguration")
            let message = error.json["errorMessage"] as? String ?? ""
            #expect(message.contains("routes.yaml:3:"), "\(message)")
            #expect(message.contains("unknown sink 'websockets'"), "\(message)")
        }
    }
}
