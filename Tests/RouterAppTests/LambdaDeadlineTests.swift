import Foundation
import LambdaRuntime
import RouterApp
import RouterTestSupport
import Synchronization
import Testing

/// A broadcast longer than its invocation: the answer comes before the deadline, the record
/// comes back, and the redelivery reaches only what the first attempt missed.
@Suite("Lambda deadline")
struct LambdaDeadlineTests {
    static let segments = 4
    static let perSegment = 2_500
    static let pageSize = 100

    /// Scan in pages of 100 per segment, each answered after 500 ms.
    static func slowScan(_ request: FakeRequest) async -> FakeResponse {
        await slowScan(request, pageDelay: .milliseconds(500))
    }

    /// Scan in pages of 100 per segment, each answered after `pageDelay`.
    static func slowScan(_ request: FakeRequest, pageDelay: Duration) async -> FakeResponse {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        guard request.header("X-Amz-Target") == "DynamoDB_20120810.Scan" else {
            return .json(400, #"{"__type":"ValidationException","message":"unexpected call"}"#)
        }
        try? await Task.sleep(for: pageDelay)
        let segment = object["Segment"] as? Int ?? 0
        let start = Int((((object["ExclusiveStartKey"] as? [String: Any])?["connection_id"] as? [String: String])?["S"] ?? "").split(separator: "-").last ?? "") ?? -1
        let first = start + 1
        let last = min(first + pageSize, perSegment)
        let items = (first..<last).map { #"{"user_id":{"S":"u\#($0 % 50)"},"connection_id":{"S":"c\#(segment)-\#($0)"}}"# }
        let next = last < perSegment ? #","LastEvaluatedKey":{"user_id":{"S":"u"},"connection_id":{"S":"c\#(segment)-\#(last - 1)"}}"# : ""
        return .json(200, #"{"Items":[\#(items.joined(separator: ","))],"Count":\#(items.count)\#(next)}"#)
    }

    static func delivered(_ lines: [String]) -> Int {
        lines.compactMap { line in (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["Delivered"] as? Int }.reduce(0, +)
    }

    @Test("a 3 s deadline, 10,000 connections behind 500 ms Scan pages (12.5 s of reading): answered before the deadline with the record to retry; the retry posts only to the rest")
    func broadcastLongerThanTheInvocation() async throws {
        let ids = (0..<Self.segments).flatMap { segment in (0..<Self.perSegment).map { "c\(segment)-\($0)" } }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .delay(.milliseconds(5))) }
        let emf = Mutex<[String]>([])
        try await FakeHTTPServer.with(Self.slowScan) { dynamo in
            try await server.run { url in
                let table = """
                    version: 1
                    stores: { connections: { type: dynamodb, table: conns, scan_segments: \(Self.segments) } }
                    sinks: { websocket: { type: apigw, endpoint: "\(url)" } }
                    routes: [{ name: main, to: websocket }]
                    """
                try await InProcess.withRouteSet(table, environment: ["AWS_ENDPOINT_URL_DYNAMODB": dynamo]) { routes, _ in
                    let handler = try LambdaMode.handler(routes: routes, environment: [:], logger: InProcess.logger) { line in emf.withLock { $0.append(line) } }
                    let record: [String: Any] = [
                        "messageId": "m-1", "body": #"{"data":"all"}"#, "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                    ]
                    let event = Array(try JSONSerialization.data(withJSONObject: ["Records": [record]]))

                    let deadline = ContinuousClock.now + .seconds(3)
                    let first = await handler.handle(LambdaInvocation(requestID: "r-1", deadline: deadline, traceID: nil, functionARN: nil, event: event))
                    let answeredAt = ContinuousClock.now
                    #expect(answeredAt < deadline, "answered \(answeredAt - deadline) after the deadline")
                    #expect(LambdaHandlerTests.body(first) == #"{"batchItemFailures":[{"itemIdentifier":"m-1"}]}"#)
                    let reachedFirst = Self.delivered(emf.withLock { $0 })
                    #expect(reachedFirst > 0 && reachedFirst < ids.count, "\(reachedFirst)")

                    let second = await handler.handle(LambdaInvocation(
                        requestID: "r-2", deadline: .now + .seconds(120), traceID: nil, functionARN: nil, event: event))
                    #expect(LambdaHandlerTests.body(second) == #"{"batchItemFailures":[]}"#)
                    let reachedSecond = Self.delivered(emf.withLock { $0 }) - reachedFirst
                    #expect(reachedFirst + reachedSecond == ids.count, "the retry posted only to the \(ids.count - reachedFirst) connections the first attempt missed")
                }
            }
        }
        #expect(server.received.count == ids.count, "every connection has the message")
    }
}
