import Foundation
import LambdaRuntime
import RouterApp
import RouterTestSupport
import Synchronization
import Testing

/// Lambda mode in-process: the handler `LambdaMode` builds, fed events directly.
@Suite("Lambda handler in-process")
struct LambdaHandlerTests {
    static func table(_ endpoint: String) -> String {
        """
        version: 1
        stores: { connections: { type: memory } }
        sinks: { websocket: { type: apigw, endpoint: "\(endpoint)" } }
        sources:
          orders: { type: sqs, queue: "arn:aws:sqs:us-east-1:1:orders" }
          alerts: { type: sns, topic: "arn:aws:sns:us-east-1:1:alerts" }
        routes:
          - { name: orders, from: [orders], to: websocket }
          - { name: pages, from: [alerts], match: { kind: [page] }, to: websocket }
        """
    }

    static func invoke(_ handler: LambdaEventHandler, _ event: Any, id: String = UUID().uuidString) async throws -> LambdaResult {
        let bytes = Array(try JSONSerialization.data(withJSONObject: event))
        return await handler.handle(LambdaInvocation(requestID: id, deadline: .now + .seconds(60), traceID: nil, functionARN: nil, event: bytes))
    }

    static func body(_ result: LambdaResult) -> String {
        if case .response(let body) = result { return String(decoding: body, as: UTF8.self) }
        return "error: \(result)"
    }

    static func sqs(_ id: String, queue: String, _ body: String) -> [String: Any] {
        ["messageId": id, "body": body, "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:\(queue)"]
    }

    static func sns(_ id: String, kind: String, _ message: String) -> [String: Any] {
        [
            "EventSource": "aws:sns",
            "Sns": ["MessageId": id, "TopicArn": "arn:aws:sns:us-east-1:1:alerts", "Message": message, "MessageAttributes": ["kind": ["Type": "String", "Value": kind]]],
        ]
    }

    @Test("$connect fills the store; SQS and SNS records take the routes of their source and attributes; the answers say exactly what comes back")
    func routesBySourceAndAttributes() async throws {
        let server = FakeConnectionsServer(live: ["c-ann", "c-bob"])
        let emf = Mutex<[String]>([])
        try await server.run { url in
            try await InProcess.withRouteSet(Self.table(url)) { routes, _ in
                let handler = try LambdaMode.handler(routes: routes, environment: [:], logger: InProcess.logger) { line in emf.withLock { $0.append(line) } }
                for (user, id) in [("ann", "c-ann"), ("bob", "c-bob")] {
                    let connect: [String: Any] = ["requestContext": ["eventType": "CONNECT", "connectionId": id], "queryStringParameters": ["user_id": user]]
                    #expect(Self.body(try await Self.invoke(handler, connect)) == #"{"statusCode":200}"#)
                }

                let batch = try await Self.invoke(handler, ["Records": [
                    Self.sqs("m-ok", queue: "orders", #"{"users":["ann"],"data":"order"}"#),
                    Self.sqs("m-elsewhere", queue: "unlisted", #"{"users":["ann"],"data":"lost?"}"#),
                    Self.sqs("m-bad", queue: "orders", #"{"users":"ann","data":1}"#),
                ]])
                #expect(Self.body(batch) == #"{"batchItemFailures":[{"itemIdentifier":"m-elsewhere"},{"itemIdentifier":"m-bad"}]}"#)

                let page = try await Self.invoke(handler, ["Records": [Self.sns("s-page", kind: "page", #"{"users":["bob"],"data":"page"}"#)]])
                #expect(Self.body(page).contains(#""route":"pages""#), "\(page)")
                let chat = try await Self.invoke(handler, ["Records": [Self.sns("s-chat", kind: "chat", #"{"users":["bob"],"data":"chat"}"#)]])
                #expect(Self.body(chat) == #"{"reports":[]}"#, "no route matches kind chat")

                let unknown = try await Self.invoke(handler, ["Records": [["eventSource": "aws:kinesis"]]])
                guard case .error(let error) = unknown else {
                    Issue.record("records no reader knows must fail the invocation")
                    return
                }
                #expect(error.type == "UnsupportedEvent" && error.message.contains("aws:sns or aws:sqs"), "\(error)")
            }
        }
        #expect(server.received.mapValues { $0.map { String(decoding: $0, as: UTF8.self) } } == ["c-ann": [#""order""#], "c-bob": [#""page""#]])
        #expect(server.posts == 2)
        #expect(emf.withLock { $0 }.filter { $0.contains(#""Route":"orders""#) }.count == 1, "one EMF line per route per invocation")
    }

    @Test("a record naming a user id no key can hold is invalid and returned; the rest of its batch is delivered and acknowledged")
    func impossibleUserStaysWithItsRecord() async throws {
        let server = FakeConnectionsServer(live: ["c-ann"])
        let long = String(repeating: "x", count: 3000)
        let answer = try await server.run { url in
            try await InProcess.withRouteSet(Self.table(url)) { routes, _ in
                try await routes.connectionStores["connections"]!.put(Connection(userID: "ann", connectionID: "c-ann"))
                let handler = try LambdaMode.handler(routes: routes, environment: [:], logger: InProcess.logger) { _ in }
                return Self.body(try await Self.invoke(handler, ["Records": [
                    Self.sqs("m-a", queue: "orders", #"{"users":["\#(long)"],"data":"a"}"#),
                    Self.sqs("m-b", queue: "orders", #"{"users":["ann"],"data":"b"}"#),
                ]]))
            }
        }
        #expect(answer == #"{"batchItemFailures":[{"itemIdentifier":"m-a"}]}"#)
        #expect(server.received["c-ann"]?.map { String(decoding: $0, as: UTF8.self) } == [#""b""#])
    }

    @Test("two concurrent invocations with the same SQS message while posts fail: the copy comes back, and once the sink recovers the connection has it exactly once")
    func concurrentCopyComesBack() async throws {
        let server = FakeConnectionsServer(live: ["c-ann"])
        server.set("c-ann", .failFirstWith(1_000_000, status: 500))
        let table = """
            version: 1
            stores: { connections: { type: memory } }
            sinks: { websocket: { type: apigw, endpoint: "%URL%" } }
            routes: [{ name: main, filters: [dedupe], to: websocket }]
            """
        try await server.run { url in
            try await InProcess.withRouteSet(table.replacingOccurrences(of: "%URL%", with: url)) { routes, _ in
                try await routes.connectionStores["connections"]!.put(Connection(userID: "ann", connectionID: "c-ann"))
                let handler = try LambdaMode.handler(routes: routes, environment: [:], logger: InProcess.logger) { _ in }
                let event = ["Records": [Self.sqs("m-1", queue: "q", #"{"users":["ann"],"data":"once"}"#)]]
                let bytes = Array(try JSONSerialization.data(withJSONObject: event))
                let first = Task {
                    await handler.handle(LambdaInvocation(requestID: "r-1", deadline: .now + .seconds(60), traceID: nil, functionARN: nil, event: bytes))
                }
                while server.posts == 0 { try await Task.sleep(for: .milliseconds(10)) }
                let copy = try await Self.invoke(handler, event)
                #expect(Self.body(copy) == #"{"batchItemFailures":[{"itemIdentifier":"m-1"}]}"#, "the copy is not acknowledged while the first is in flight")
                #expect(Self.body(await first.value) == #"{"batchItemFailures":[{"itemIdentifier":"m-1"}]}"#, "the first failed")
                server.set("c-ann", .delay(.zero))
                #expect(Self.body(try await Self.invoke(handler, event)) == #"{"batchItemFailures":[]}"#)
            }
        }
        #expect(server.received["c-ann"]?.count == 1)
    }
}
