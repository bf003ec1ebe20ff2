import APIGatewaySink
import Foundation
import RouterCore
import RouterTestSupport
import Testing

/// Faults from DESIGN §3 through the whole pipeline: nothing lost, nothing pruned that was
/// not gone, nothing reported delivered that was not.
@Suite("API Gateway sink faults")
struct APIGatewaySinkFaultTests {
    static func pipeline(_ sink: APIGatewaySink, _ store: MemoryConnectionStore, stages: [any FilterStage] = [DedupeStage(), ExcludeStage()]) -> Pipeline {
        Pipeline(route: "faults", stages: stages, store: store, sink: sink)
    }

    @Test("30% of posts answered 429: every live connection receives the payload exactly once")
    func throttledThirty() async throws {
        let ids = (0..<1000).map { "conn\($0)=" }
        let server = FakeConnectionsServer(live: ids)
        server.setRatios(throttled: 0.3)
        let store = MemoryConnectionStore(batchSize: 100, connections: SinkHarness.connections(ids))
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url, options: "max_in_flight: 64"), store)
                .deliver(Array(#"{"data":{"n":1}}"#.utf8), deadline: .now + .seconds(120), logger: SinkHarness.logger)
        }
        #expect(report.outcome == .completed)
        #expect(report.delivered == 1000 && report.throttled > 0)
        #expect(server.received.count == 1000 && server.received.values.allSatisfy { $0 == [Array(#"{"n":1}"#.utf8)] })
    }

    @Test("the sink down: the request is reported failed and nothing is pruned")
    func sinkDown() async throws {
        let store = MemoryConnectionStore(connections: SinkHarness.connections(["a", "b", "c"]))
        let report = await Self.pipeline(try SinkHarness.sink("http://127.0.0.1:1", options: "timeout: 200ms"), store)
            .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(2), logger: SinkHarness.logger)
        #expect(report.needsRetry)
        #expect(report.delivered == 0 && report.pruned == 0 && report.failed + report.skipped == 3)
        #expect(await store.all.count == 3)
    }

    @Test("a slow connection does not hold back the others")
    func slowConnection() async throws {
        let ids = (0..<100).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        server.set("c0", .holdUntilDelivered(99))
        let store = MemoryConnectionStore(batchSize: 10, connections: SinkHarness.connections(ids))
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url, options: "max_in_flight: 8"), store)
                .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(120), logger: SinkHarness.logger)
        }
        #expect(report.delivered == 100, "c0 answers only after the 99 others were delivered")
        #expect(server.answeredOrder.last == "c0")
    }

    @Test("a deadline 200 ms away with a slow sink: unfinished, and nothing reported delivered that was not")
    func deadline() async throws {
        let ids = (0..<50).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .delay(.seconds(1))) }
        let store = MemoryConnectionStore(connections: SinkHarness.connections(ids))
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url, options: "max_in_flight: 10"), store)
                .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .milliseconds(200), logger: SinkHarness.logger)
        }
        #expect(report.needsRetry)
        #expect(report.delivered <= server.received.count)
        #expect(server.posts > 0 && server.posts <= 10, "the posts of the first window started, and no other: \(server.posts)")
        #expect(report.delivered + report.failed + report.skipped == 50)
        #expect(report.skipped >= 40, "posts beyond the window never started")
    }

    @Test("max-payload rejects what API Gateway would answer 413, before any post")
    func maxPayloadBefore413() async throws {
        let server = FakeConnectionsServer(live: ["a"])
        let store = MemoryConnectionStore(connections: SinkHarness.connections(["a"]))
        let big = "{\"data\":\"" + String(repeating: "x", count: 140_000) + "\"}"
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url), store, stages: [MaxPayloadStage()])
                .deliver(Array(big.utf8), deadline: .now + .seconds(10), logger: SinkHarness.logger)
        }
        #expect(report.isInvalid)
        #expect(server.posts == 0)
    }

    @Test("the window bounds the posts in flight")
    func window() async throws {
        let ids = (0..<200).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .delay(.milliseconds(20))) }
        let store = MemoryConnectionStore(batchSize: 50, connections: SinkHarness.connections(ids))
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url, options: "max_in_flight: 16"), store)
                .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(30), logger: SinkHarness.logger)
        }
        #expect(report.delivered == 200)
        #expect(server.mostInFlight <= 16 && server.mostInFlight > 1)
    }

    @Test("AIMD: a burst of 429s cuts the posts in flight at the server, and successes grow them back")
    func adaptiveWindow() async throws {
        let ids = (0..<600).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .delay(.milliseconds(50))) }
        server.throttle(posts: 121...160)
        let store = MemoryConnectionStore(batchSize: 100, connections: SinkHarness.connections(ids))
        let report = try await server.run { url in
            await Self.pipeline(try SinkHarness.sink(url, options: "max_in_flight: 32"), store)
                .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(120), logger: SinkHarness.logger)
        }
        #expect(report.delivered == 600 && report.throttled > 0)
        let arrivals = server.inFlightAtArrival
        let before = arrivals[60..<120].max() ?? 0
        // Throttled posts keep their slots and retry, so look past their retries (posts 161-200).
        let after = arrivals[200..<240].max() ?? 0
        let end = arrivals.suffix(100).max() ?? 0
        #expect(before >= 24, "the window was open before the burst: \(before)")
        #expect(after <= before / 2, "the burst halved it at least once: \(before) before, \(after) after")
        #expect(end > after, "successes grew it back: \(after) after the burst, \(end) at the end")
    }
}
