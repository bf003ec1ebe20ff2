import APIGatewaySink
import RouterCore
import RouterTestSupport
import Testing

/// The sink's posting budget (`rate`, `burst`) against a fake that enforces an account
/// budget the way API Gateway does: a token bucket answering 429 beyond it.
@Suite("API Gateway sink posting budget")
struct APIGatewaySinkBudgetTests {
    static func broadcast(_ server: FakeConnectionsServer, _ ids: [String], options: String) async throws -> DeliveryReport {
        let store = MemoryConnectionStore(batchSize: 100, connections: SinkHarness.connections(ids))
        return try await server.run { url in
            await APIGatewaySinkFaultTests.pipeline(try SinkHarness.sink(url, options: options), store)
                .deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(300), logger: SinkHarness.logger)
        }
    }

    static func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

    @Test("rate 200/s with burst 20 under a 400/s budget: no 429, every connection once, and the posts arrive no faster than the rate")
    func fixedRate() async throws {
        let ids = (0..<400).map { "f\($0)" }
        let server = FakeConnectionsServer(live: ids)
        server.limit(rate: 400, burst: 40)
        let report = try await Self.broadcast(server, ids, options: "rate: 200\nburst: 20")
        #expect(report.delivered == 400 && report.throttled == 0)
        #expect(server.overBudget == 0 && server.posts == 400)
        #expect(server.received.count == 400 && server.received.values.allSatisfy { $0.count == 1 })
        let arrivals = server.arrivals
        let span = Self.seconds(arrivals.last! - arrivals.first!)
        // 400 posts, 20 of them in the first burst: at least 380 intervals of 5 ms (less a few
        // for posts that start on time and arrive bunched).
        #expect(span >= 1.85, "400 posts at 200/s took \(span) s")
    }

    @Test("rate: adaptive under a 500/s budget the sink was not told: it finds the budget (429s seen), and no post is lost")
    func adaptiveRate() async throws {
        let ids = (0..<2000).map { "a\($0)" }
        let server = FakeConnectionsServer(live: ids)
        server.limit(rate: 500, burst: 50)
        let report = try await Self.broadcast(server, ids, options: "rate: adaptive\nmax_rate: 5000")
        #expect(report.delivered == 2000 && report.failed == 0 && report.skipped == 0)
        #expect(server.overBudget > 0 && report.throttled > 0, "it grew past the budget and was told")
        #expect(server.received.count == 2000 && server.received.values.allSatisfy { $0.count == 1 }, "each connection once")
        #expect(server.posts == 2000 + server.overBudget, "every 429 retried once more, nothing else")
    }

    @Test("without rate, a 429 storm is still retried until delivered (the window alone)")
    func unlimited() async throws {
        let ids = (0..<300).map { "u\($0)" }
        let server = FakeConnectionsServer(live: ids)
        server.limit(rate: 1000, burst: 20)
        let report = try await Self.broadcast(server, ids, options: "max_in_flight: 64")
        #expect(report.delivered == 300)
        #expect(server.received.count == 300 && server.received.values.allSatisfy { $0.count == 1 })
    }
}
