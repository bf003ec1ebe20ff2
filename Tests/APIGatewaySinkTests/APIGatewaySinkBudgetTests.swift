import APIGatewaySink
import RouterCore
import RouterTestSupport
import Testing

/// The sink's posting budget (`rate`, `burst`) against a fake that enforces an account
/// budget the way API Gateway does: a token bucket answering 429 beyond it.
@Suite("API Gateway sink posting budget")
struct APIGatewaySinkBudgetTests {
    /// A broadcast to `count` connections through a sink with `options`, against a fake
    /// that enforces `budget`; and when the broadcast began (before its first post).
    static func broadcast(
        to count: Int, budget: (rate: Double, burst: Int), options: String
    ) async throws -> (DeliveryReport, FakeConnectionsServer, began: ContinuousClock.Instant) {
        let ids = (0..<count).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        server.limit(rate: budget.rate, burst: budget.burst)
        let store = MemoryConnectionStore(batchSize: 100, connections: SinkHarness.connections(ids))
        let (report, began) = try await server.run { url in
            let pipeline = APIGatewaySinkFaultTests.pipeline(try SinkHarness.sink(url, options: options), store)
            let began = ContinuousClock.now
            return (await pipeline.deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(300), logger: SinkHarness.logger), began)
        }
        return (report, server, began)
    }

    /// Whether each of the `count` connections received exactly one payload.
    static func eachOnce(_ server: FakeConnectionsServer, _ count: Int) -> Bool {
        server.received.count == count && server.received.values.allSatisfy { $0.count == 1 }
    }

    static func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

    @Test("rate 200/s with burst 20 under a 400/s budget: no 429, every connection once, and the posts arrive no faster than the rate")
    func fixedRate() async throws {
        let (report, server, began) = try await Self.broadcast(to: 400, budget: (400, 40), options: "rate: 200\nburst: 20")
        #expect(report.delivered == 400 && report.throttled == 0)
        #expect(server.overBudget == 0 && server.posts == 400 && Self.eachOnce(server, 400))
        // 400 posts, 20 of them in the first burst: the last may start 380 intervals of 5 ms
        // after the first, so it arrives at least 1.9 s after the broadcast began. (Measured
        // from the start, not from the first arrival, which a slow first connection delays.)
        let span = Self.seconds(server.arrivals.last! - began)
        #expect(span >= 1.89, "400 posts at 200/s took \(span) s")
    }

    @Test("rate: adaptive under a 200/s budget the sink was not told: it finds the budget with few 429s, and no post is lost")
    func adaptiveRate() async throws {
        // 200/s: a budget the sink passes within a second even in a build 10 times slower (ThreadSanitizer).
        let (report, server, _) = try await Self.broadcast(to: 1200, budget: (200, 20), options: "rate: adaptive\nmax_rate: 5000")
        #expect(report.delivered == 1200 && report.failed == 0 && report.skipped == 0)
        #expect(server.overBudget > 0 && report.throttled > 0, "it grew past the budget and was told")
        // The in-flight window alone (no rate) meets this budget with about 7,500 429s.
        #expect(server.overBudget < 60, "paced to the budget it found, under 5% of posts answered 429: \(server.overBudget)")
        #expect(Self.eachOnce(server, 1200), "each connection once")
        #expect(server.posts == 1200 + server.overBudget, "every 429 retried once more, nothing else")
    }

    @Test("without rate, a 429 storm is still retried until delivered (the window alone)")
    func unlimited() async throws {
        let (report, server, _) = try await Self.broadcast(to: 300, budget: (1000, 20), options: "max_in_flight: 64")
        #expect(report.delivered == 300 && Self.eachOnce(server, 300))
    }
}
