import Synchronization

/// The number of posts allowed in flight, adapted to throttling (AIMD): halved on a 429,
/// grown by one for every window's worth of successes, between 1 and the configured maximum.
/// Posts wait in arrival order for a free slot.
///
/// A lock, not an actor: a slot that is free is taken, and a post's end is recorded, without
/// a hop to another executor (two per post, on the hottest path there is).
final class AdaptiveWindow: Sendable {
    let maximum: Int

    private struct State {
        var limit: Double
        var inFlight = 0
        var line = WaitingLine()

        /// Takes a slot when one is free and nobody is waiting for one.
        mutating func take() -> Bool {
            guard inFlight < Int(limit), line.isEmpty else { return false }
            inFlight += 1
            return true
        }
    }

    private let state: Mutex<State>

    init(maximum: Int) {
        self.maximum = max(maximum, 1)
        state = Mutex(State(limit: Double(self.maximum)))
    }

    func acquire() async {
        if state.withLock({ $0.take() }) { return }
        await withCheckedContinuation { waiter in
            let taken = state.withLock { state in
                if state.take() { return true }
                state.line.append(waiter)
                return false
            }
            if taken { waiter.resume() }
        }
    }

    /// A post ended; a success grows the window (additive increase).
    func release(succeeded: Bool) {
        let woken = state.withLock { state in
            state.inFlight -= 1
            if succeeded, state.limit < Double(maximum) { state.limit = min(Double(maximum), state.limit + 1 / state.limit) }
            var woken: [CheckedContinuation<Void, Never>] = []
            while state.inFlight < Int(state.limit), let waiter = state.line.popFirst() {
                state.inFlight += 1
                woken.append(waiter)
            }
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// A post was throttled: multiplicative decrease.
    func throttled() {
        state.withLock { $0.limit = max(1, $0.limit / 2) }
    }
}
