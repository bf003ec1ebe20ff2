import RouterCore
import Synchronization

/// `/readyz` answered from a probe at most `maxAge` old: however often callers ask, the
/// stores and sinks are probed at most once per `maxAge`, and callers asking while a probe
/// runs wait for that one.
final class CachedReadiness: Sendable {
    private struct State {
        var last: (at: ContinuousClock.Instant, problems: [String])?
        var running: Task<[String], Never>?
    }

    /// A recent answer, or the probe to wait for.
    private enum Next {
        case cached([String])
        case probe(Task<[String], Never>)
    }

    private let routes: RouteSet
    private let maxAge: Duration
    private let state = Mutex(State())

    init(routes: RouteSet, maxAge: Duration = .seconds(5)) {
        self.routes = routes
        self.maxAge = maxAge
    }

    /// What keeps the route set from delivering (empty: ready), from a recent probe.
    func problems() async -> [String] {
        let now = ContinuousClock.now
        let next = state.withLock { state -> Next in
            if let last = state.last, now - last.at < maxAge { return .cached(last.problems) }
            if let running = state.running { return .probe(running) }
            let routes = routes
            let running = Task { await routes.readinessProblems(deadline: .now + .seconds(5)) }
            state.running = running
            return .probe(running)
        }
        let task: Task<[String], Never>
        switch next {
        case .cached(let problems): return problems
        case .probe(let running): task = running
        }
        let problems = await task.value
        state.withLock { state in
            if state.running == task {
                state.running = nil
                state.last = (ContinuousClock.now, problems)
            }
        }
        return problems
    }
}
