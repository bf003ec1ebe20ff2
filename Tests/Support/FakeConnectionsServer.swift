import Foundation
import Synchronization

/// A faithful fake of the API Gateway Management API (`/@connections/{id}`), for contract
/// and fault tests: it records every payload per connection id and answers as API Gateway
/// does: 200 for a live id, 410 `GoneException` for an unknown one, `GET` with
/// `connectedAt`/`identity`/`lastActiveAt`, `DELETE` with 204. Faults are injectable per
/// id (`gone`, any status, a delay), by ratio (a share of posts answered 429 or 500), or as
/// an account budget (a token bucket answering 429 beyond it).
public final class FakeConnectionsServer: Sendable {
    public enum Behaviour: Sendable {
        /// Answer 410 as if the client had left.
        case gone
        /// Answer this status every time.
        case status(Int)
        /// Wait this long, then answer normally.
        case delay(Duration)
        /// Answer nothing while this behaviour is set (at most two minutes), then 500: a post
        /// that outlasts any grace period, released by ``clear(_:)``.
        case stall
        /// Answer only once this many other posts were delivered (500 after 60 s): proves the
        /// others were not held back by this one, without timing assumptions.
        case holdUntilDelivered(Int)
        /// Answer 500 to the first this many posts, then normally.
        case failFirst(Int)
        /// Answer `status` to the first `count` posts, then normally.
        case failFirstWith(Int, status: Int)
    }

    struct State {
        var live: Set<String>
        var behaviours: [String: Behaviour] = [:]
        var received: [String: [[UInt8]]] = [:]
        /// Connection ids in the order their successful posts were answered.
        var answeredOrder: [String] = []
        var throttleRatio = 0.0
        var errorRatio = 0.0
        var posts = 0
        var failures: [String: Int] = [:]
        var inFlight = 0
        var mostInFlight = 0
        /// Posts in flight (this one included) as each post arrived, in arrival order.
        var inFlightAtArrival: [Int] = []
        /// Posts (by arrival number, from 1) answered 429 whatever their connection.
        var throttledPosts: ClosedRange<Int>?
        /// The account budget, as a token bucket kept as its next free instant.
        var budget: (interval: Duration, tolerance: Duration, nextFree: ContinuousClock.Instant)?
        var overBudget = 0
        var arrivals: [ContinuousClock.Instant] = []
    }

    private let state: Mutex<State>
    /// The path in front of `/@connections` (a stage or custom domain base path).
    public let basePath: String

    public init(live: some Sequence<String>, basePath: String = "") {
        state = Mutex(State(live: Set(live)))
        self.basePath = basePath
    }

    public func set(_ id: String, _ behaviour: Behaviour) { state.withLock { $0.behaviours[id] = behaviour } }
    /// Back to answering as API Gateway does.
    public func clear(_ id: String) { _ = state.withLock { $0.behaviours.removeValue(forKey: id) } }
    /// A connection that has just connected.
    public func addLive(_ id: String) { _ = state.withLock { $0.live.insert(id) } }
    public func setRatios(throttled: Double = 0, errors: Double = 0) {
        state.withLock { $0.throttleRatio = throttled; $0.errorRatio = errors }
    }

    /// Payloads received (and answered 200) per connection id.
    public var received: [String: [[UInt8]]] { state.withLock { $0.received } }
    public var answeredOrder: [String] { state.withLock { $0.answeredOrder } }
    public var posts: Int { state.withLock { $0.posts } }
    public var mostInFlight: Int { state.withLock { $0.mostInFlight } }
    /// Posts in flight (each one included) when each post arrived, in arrival order.
    public var inFlightAtArrival: [Int] { state.withLock { $0.inFlightAtArrival } }
    /// Answers 429 to the posts whose arrival number (from 1) is in `range`: a burst of throttling.
    public func throttle(posts range: ClosedRange<Int>) { state.withLock { $0.throttledPosts = range } }
    /// Enforces a budget as API Gateway does per account: a token bucket of `burst` posts
    /// refilled at `rate` per second; a post beyond it is answered 429.
    public func limit(rate: Double, burst: Int) {
        let interval = Duration.seconds(1 / rate)
        state.withLock { $0.budget = (interval, interval * (burst - 1), .now) }
    }
    /// Posts answered 429 because they were beyond the budget.
    public var overBudget: Int { state.withLock { $0.overBudget } }
    /// When each post arrived, in arrival order.
    public var arrivals: [ContinuousClock.Instant] { state.withLock { $0.arrivals } }
    public var live: Set<String> { state.withLock { $0.live } }

    /// Runs `body` with the server's base URL (`http://127.0.0.1:PORT` + base path).
    public func run<Result: Sendable>(_ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await FakeHTTPServer.with({ request in await self.answer(request) }) { url in try await body(url + self.basePath) }
    }

    func answer(_ request: FakeRequest) async -> FakeResponse {
        let prefix = basePath + "/@connections/"
        guard request.path.hasPrefix(prefix), let id = String(request.path.dropFirst(prefix.count)).removingPercentEncoding, !id.isEmpty else {
            return .json(404, #"{"message":"Not Found"}"#)
        }
        switch request.method {
        case "POST": return await post(request.body, to: id)
        case "GET":
            guard state.withLock({ $0.live.contains(id) }) else { return Self.gone }
            return .json(200, #"{"connectedAt":"2026-11-29T08:00:00.000Z","identity":{"sourceIp":"127.0.0.1","userAgent":"test"},"lastActiveAt":"2026-11-29T08:00:00.000Z"}"#)
        case "DELETE":
            return state.withLock { $0.live.remove(id) } == nil ? Self.gone : FakeResponse(status: 204)
        default:
            return .json(405, #"{"message":"Method Not Allowed"}"#)
        }
    }

    static let gone = FakeResponse.json(410, #"{"message":null}"#, headers: [("x-amzn-ErrorType", "GoneException")])

    /// Counts one more post to `id`; whether it is among the first `count`.
    private func countFailure(of id: String, upTo count: Int) -> Bool {
        state.withLock { state in
            state.failures[id, default: 0] += 1
            return state.failures[id]! <= count
        }
    }

    private func post(_ body: [UInt8], to id: String) async -> FakeResponse {
        let (behaviour, roll, throttle, errors, inBurst) = state.withLock { state in
            state.posts += 1
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
            state.inFlightAtArrival.append(state.inFlight)
            let now = ContinuousClock.now
            state.arrivals.append(now)
            var inBurst = state.throttledPosts?.contains(state.posts) == true
            if let budget = state.budget {
                let due = max(budget.nextFree, now)
                if due - budget.tolerance > now {
                    state.overBudget += 1
                    inBurst = true
                } else {
                    state.budget?.nextFree = due + budget.interval
                }
            }
            return (state.behaviours[id], Double.random(in: 0..<1), state.throttleRatio, state.errorRatio, inBurst)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if inBurst { return .json(429, #"{"message":"Too Many Requests"}"#, headers: [("x-amzn-ErrorType", "LimitExceededException")]) }
        switch behaviour {
        case .gone: return Self.gone
        case .status(let status): return .json(status, #"{"message":"injected \#(status)"}"#)
        case .delay(let wait): try? await Task.sleep(for: wait)
        case .stall:
            for _ in 0..<6000 {
                guard case .stall = state.withLock({ $0.behaviours[id] }) else { break }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return .json(500, #"{"message":"stalled"}"#)
        case .holdUntilDelivered(let count):
            var attempts = 0
            while state.withLock({ $0.received.count }) < count, attempts < 6000 {
                attempts += 1
                try? await Task.sleep(for: .milliseconds(10))
            }
            guard state.withLock({ $0.received.count }) >= count else { return .json(500, #"{"message":"held too long"}"#) }
        case .failFirst(let count):
            if countFailure(of: id, upTo: count) { return .json(500, #"{"message":"injected failure"}"#) }
        case .failFirstWith(let count, let status):
            if countFailure(of: id, upTo: count) { return .json(status, #"{"message":"injected \#(status)"}"#) }
        case nil: break
        }
        if roll < throttle { return .json(429, #"{"message":"Too Many Requests"}"#, headers: [("x-amzn-ErrorType", "LimitExceededException")]) }
        if roll < throttle + errors { return .json(500, #"{"message":"Internal server error"}"#) }
        guard body.count <= 131_072 else { return .json(413, #"{"message":"Request Too Long"}"#, headers: [("x-amzn-ErrorType", "PayloadTooLargeException")]) }
        return state.withLock { state in
            guard state.live.contains(id) else { return Self.gone }
            state.received[id, default: []].append(body)
            state.answeredOrder.append(id)
            return FakeResponse(status: 200)
        }
    }
}
