import Logging
import MetricsTestKit
import RouterCore
import RouterTestSupport
import Testing

/// The one path from a batch of source items to outcomes, as every mode uses it.
@Suite("batch delivery")
struct BatchDeliveryTests {
    static let yaml = """
        version: 1
        stores: { connections: { type: memory } }
        sinks: { websocket: { type: recording } }
        sources:
          queue: { type: recording-source }
          topic: { type: recording-source }
        routes:
          - { name: from-queue, from: [queue], to: websocket }
          - { name: alerts, from: [topic], match: { kind: [alert] }, to: websocket, on_invalid: drop }
        """

    let logger = Logger(label: "test")

    /// The route set of ``yaml`` over a store holding ann's connection, its sink and metrics.
    static func delivery(metrics: TestMetrics = TestMetrics()) async throws -> (BatchDelivery, RecordingSink) {
        let table = try RouteTableLoader(registry: .testing, variables: [:]).load(yaml: yaml, file: "routes.yaml")
        let routes = try RouteSet(table: table, resources: [], metrics: metrics)
        try await routes.connectionStores["connections"]!.put(Connection(userID: "ann", connectionID: "a1"))
        return (BatchDelivery(routes: routes), routes.sinks["websocket"] as! RecordingSink)
    }

    static func item(_ id: String, from source: String?, _ attributes: [String: String] = [:], body: String = #"{"users":["ann"],"data":1}"#) -> SourceItem {
        SourceItem(messageID: id, body: Array(body.utf8), source: source, attributes: attributes)
    }

    @Test("each item takes exactly the routes its source and attributes select; one outcome per item, in order")
    func routing() async throws {
        let (delivery, sink) = try await Self.delivery()
        let items = [
            Self.item("q", from: "queue"), Self.item("t-alert", from: "topic", ["kind": "alert"]), Self.item("t-chat", from: "topic", ["kind": "chat"]),
            Self.item("none", from: nil),
        ]
        let (outcomes, runs) = await delivery.deliver(items, deadline: .now + .seconds(60), logger: logger)
        #expect(outcomes.map { $0.reports.map(\.route) } == [["from-queue"], ["alerts"], [], []])
        #expect(outcomes.map(\.isAcknowledged) == [true, true, false, false], "an item no route takes must come back")
        #expect(runs.map(\.route) == ["from-queue", "alerts"])
        #expect(sink.receivers == ["a1", "a1"])
    }

    @Test("an unreadable item is returned without reaching any route; the rest of its batch is delivered")
    func unreadable() async throws {
        let (delivery, sink) = try await Self.delivery()
        var broken = Self.item("broken", from: "queue")
        broken.unreadable = "the body is not an SNS envelope"
        let (outcomes, _) = await delivery.deliver([broken, Self.item("fine", from: "queue")], deadline: .now + .seconds(60), logger: logger)
        #expect(outcomes.map(\.isAcknowledged) == [false, true])
        #expect(outcomes[0].reports.isEmpty && !outcomes[0].needsRetry)
        #expect(sink.receivers == ["a1"])
    }

    @Test("on_invalid decides whether an invalid request comes back: dlq returns it, drop acknowledges it")
    func invalidPolicy() async throws {
        let (delivery, _) = try await Self.delivery()
        let (outcomes, _) = await delivery.deliver(
            [Self.item("q", from: "queue", body: "not json"), Self.item("t", from: "topic", ["kind": "alert"], body: "not json")],
            deadline: .now + .seconds(60), logger: logger)
        #expect(outcomes.map(\.isAcknowledged) == [false, true])
        #expect(outcomes.allSatisfy { $0.reports.first?.isInvalid == true && !$0.needsRetry })
    }

    @Test("each route's counts go to counters made once per route with the factory given at composition")
    func metrics() async throws {
        let metrics = TestMetrics()
        let (delivery, _) = try await Self.delivery(metrics: metrics)
        let made = metrics.counters.count
        for _ in 0..<3 {
            _ = await delivery.deliver([Self.item("q", from: "queue"), Self.item("bad", from: "queue", body: "[")], deadline: .now + .seconds(60), logger: logger)
        }
        #expect(metrics.counters.count == made, "no counter is made per batch")
        #expect(try metrics.expectCounter("notification_router_delivered_total", [("route", "from-queue")]).totalValue == 3)
        #expect(try metrics.expectCounter("notification_router_invalid_total", [("route", "from-queue")]).totalValue == 3)
        #expect(try metrics.expectCounter("notification_router_delivered_total", [("route", "alerts")]).totalValue == 0)
        #expect(try metrics.expectTimer("notification_router_fanout_duration_seconds", [("route", "from-queue")]).values.count == 3)
    }
}
