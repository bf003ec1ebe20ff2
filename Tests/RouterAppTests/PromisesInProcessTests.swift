import Foundation
import LambdaRuntime
import Logging
import RouterApp
import RouterTestSupport
import Testing

/// README promises held in-process: every class of batchItemFailures, payloads never logged,
/// and `data` byte for byte through every way into Lambda mode.
@Suite("README promises (in-process)")
struct PromisesInProcessTests {
    static let table = """
        version: 1
        stores: { connections: { type: memory } }
        sinks: { websocket: { type: apigw, endpoint: "%URL%" } }
        sources:
          orders: { type: sqs, queue: "arn:aws:sqs:us-east-1:1:orders" }
          alerts: { type: sns, topic: "arn:aws:sns:us-east-1:1:alerts" }
        routes: [{ name: main, from: [orders, alerts], filters: [dedupe, exclude], to: websocket }]
        """

    /// The handler over `table` with `connections` (user → ids) in the store, logging to `logger`.
    static func withHandler(
        _ server: FakeConnectionsServer, connections: [String: [String]], logger: Logger = InProcess.logger,
        _ body: @escaping @Sendable (LambdaEventHandler) async throws -> Void
    ) async throws {
        try await server.run { url in
            try await InProcess.withRouteSet(table.replacingOccurrences(of: "%URL%", with: url)) { routes, _ in
                for (user, ids) in connections {
                    for id in ids { try await routes.connectionStores["connections"]!.put(Connection(userID: user, connectionID: id)) }
                }
                try await body(try LambdaMode.handler(routes: routes, environment: [:], logger: logger) { _ in })
            }
        }
    }

    @Test("one SQS batch: a connection failing 500, an endpoint answering 403, an unroutable and an invalid record are exactly the failures")
    func everyFailureClass() async throws {
        let server = FakeConnectionsServer(live: ["c-ok", "c-500", "c-403"])
        server.set("c-500", .status(500))
        server.set("c-403", .status(403))
        try await Self.withHandler(server, connections: ["ok": ["c-ok"], "flaky": ["c-500"], "locked": ["c-403"]]) { handler in
            let answer = try await LambdaHandlerTests.invoke(handler, ["Records": [
                LambdaHandlerTests.sqs("r-ok", queue: "orders", #"{"users":["ok"],"data":1}"#),
                LambdaHandlerTests.sqs("r-500", queue: "orders", #"{"users":["flaky"],"data":2}"#),
                LambdaHandlerTests.sqs("r-403", queue: "orders", #"{"users":["locked"],"data":3}"#),
                LambdaHandlerTests.sqs("r-unroutable", queue: "elsewhere", #"{"users":["ok"],"data":4}"#),
                LambdaHandlerTests.sqs("r-invalid", queue: "orders", #"{"users":"ok","data":5}"#),
            ]])
            let failures = (try JSONSerialization.jsonObject(with: Data(LambdaHandlerTests.body(answer).utf8)) as? [String: [[String: String]]])?["batchItemFailures"]
            #expect(Set(failures?.compactMap { $0["itemIdentifier"] } ?? []) == ["r-500", "r-403", "r-unroutable", "r-invalid"], "\(answer)")
        }
        #expect(server.received.mapValues(\.count) == ["c-ok": 1])
    }

    @Test("an invalid request in an SNS event is logged with its reason and not retried")
    func invalidSNSNotRetried() async throws {
        let lines = LogLines()
        let logger = lines.logger(level: .info)
        try await Self.withHandler(FakeConnectionsServer(live: []), connections: [:], logger: logger) { handler in
            let answer = try await LambdaHandlerTests.invoke(handler, ["Records": [LambdaHandlerTests.sns("s-bad", kind: "x", #"{"users":"ann","data":1}"#)]])
            guard case .response = answer else {
                Issue.record("an invalid request must not fail the invocation (SNS would retry it for nothing): \(answer)")
                return
            }
        }
        #expect(lines.all.contains { $0.contains("invalid_request") && $0.contains("users must be an array of strings") && $0.contains("s-bad") })
    }

    @Test("a marker inside data appears in no log line, at trace level, delivered or refused")
    func payloadNeverLogged() async throws {
        let marker = "PAYLOAD-MARKER-7f3a"
        let lines = LogLines()
        let logger = lines.logger()
        let server = FakeConnectionsServer(live: ["c-ann"])
        server.set("c-ann", .failFirst(1))
        try await Self.withHandler(server, connections: ["ann": ["c-ann"]], logger: logger) { handler in
            _ = try await LambdaHandlerTests.invoke(handler, ["Records": [
                LambdaHandlerTests.sqs("m-1", queue: "orders", #"{"users":["ann"],"data":{"secret":"\#(marker)"}}"#),
                LambdaHandlerTests.sqs("m-2", queue: "orders", #"{"users":["ann"],"data":"\#(marker)","exclude_users":7}"#),
            ]])
            _ = try await LambdaHandlerTests.invoke(handler, ["Records": [LambdaHandlerTests.sns("s-1", kind: "x", #"{"data":"\#(marker)"}"#)]])
        }
        #expect(server.received["c-ann"]?.contains { String(decoding: $0, as: UTF8.self).contains(marker) } == true, "the payload was delivered")
        #expect(!lines.all.isEmpty)
        #expect(!lines.all.contains { $0.contains(marker) }, "\(lines.all.filter { $0.contains(marker) })")
    }

    @Test("data reaches the connection byte for byte through SQS, SNS and an SNS envelope in SQS")
    func byteForByte() async throws {
        let data = #"{ "n" : 1.50,"e":1e3, "s":"caf\u00e9 \ud83d\ude00","z" :[ -0 ,true ,null ] }"#
        let request = #"{"users":["ann"], "data": \#(data) }"#
        let envelope = String(decoding: try JSONSerialization.data(withJSONObject: [
            "Type": "Notification", "MessageId": "env-1", "TopicArn": "arn:aws:sns:us-east-1:1:alerts", "Message": request,
        ]), as: UTF8.self)
        let server = FakeConnectionsServer(live: ["c-ann"])
        try await Self.withHandler(server, connections: ["ann": ["c-ann"]]) { handler in
            _ = try await LambdaHandlerTests.invoke(handler, ["Records": [LambdaHandlerTests.sqs("q-1", queue: "orders", request)]])
            _ = try await LambdaHandlerTests.invoke(handler, ["Records": [LambdaHandlerTests.sns("s-1", kind: "x", request)]])
            _ = try await LambdaHandlerTests.invoke(handler, ["Records": [LambdaHandlerTests.sqs("q-2", queue: "orders", envelope)]])
        }
        #expect(server.received["c-ann"]?.map { String(decoding: $0, as: UTF8.self) } == [data, data, data])
    }
}
