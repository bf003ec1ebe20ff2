import Synchronization

/// One fan-out's posts: which connection starts next, and what became of each. ``FanOut``
/// states the guarantees; this keeps them.
///
/// Without a posting budget, answers pull: a post that ends takes the next connections of
/// the batch being scheduled in the same step, on the thread that carried its answer (for
/// the API Gateway sink, the event loop of its connection), so a broadcast runs without a
/// task or a hop between threads per post. With a budget, posts wait for its tokens in
/// arrival order, which takes a task: the scheduler starts the connections one by one
/// (``scheduleOneByOne(_:)``), and an answer only frees its slot.
final class PostDispatch: Sendable {
    let fanOut: FanOut
    let deadline: ContinuousClock.Instant
    let start: FanOut.StartPost
    /// Set by a 403: no attempt starts after it, and reading stops.
    let stopped = StopFlag()
    /// Set when the fan-out's task is cancelled: no attempt starts after it; a retry waiting
    /// out its backoff (in a task of its own, at most the sink's retry cap) then ends failed.
    let cancelled = StopFlag()
    private let state: Mutex<State>

    private struct State {
        var window: AdaptiveWindow
        var report = SinkReport()
        /// The connections of the batch being scheduled that have not started.
        var batch: ArraySlice<Connection> = []
        /// The scheduler, until `batch` has all started (true) or the fan-out stopped (false).
        var batchScheduled: CheckedContinuation<Bool, Never>?
        /// The scheduler, until a slot is free (with a budget).
        var slotFree: CheckedContinuation<Void, Never>?
        /// The scheduler, until every post has ended.
        var drained: CheckedContinuation<Void, Never>?
    }

    /// What to do, outside the lock, after the state changed.
    private struct Work {
        var start: ArraySlice<Connection> = []
        var batchScheduled: (waiter: CheckedContinuation<Bool, Never>, allStarted: Bool)?
        var slotFree: CheckedContinuation<Void, Never>?
        var drained: CheckedContinuation<Void, Never>?
    }

    init(fanOut: FanOut, deadline: ContinuousClock.Instant, start: @escaping FanOut.StartPost) {
        self.fanOut = fanOut
        self.deadline = deadline
        self.start = start
        state = Mutex(State(window: AdaptiveWindow(maximum: fanOut.maxInFlight)))
    }

    var report: SinkReport { state.withLock { $0.report } }

    /// Changes the report (the reader's accounting).
    func account(_ change: (inout SinkReport) -> Void) {
        state.withLock { change(&$0.report) }
    }

    /// Neither stopped by a 403 nor cancelled: connections skipped now are skipped for the deadline.
    var running: Bool { !stopped.isSet && !cancelled.isSet }

    private func mayStart(now: ContinuousClock.Instant) -> Bool {
        running && now < deadline
    }

    /// Starts every connection of `batch` as slots (and tokens of the budget) come free; true
    /// once all started, false when the fan-out stopped first (the rest is counted skipped).
    func schedule(_ batch: [Connection]) async -> Bool {
        if fanOut.budget != nil { return await scheduleOneByOne(batch) }
        return await withCheckedContinuation { scheduled in
            let work = state.withLock { state in
                state.batch = batch[...]
                state.batchScheduled = scheduled
                return next(&state)
            }
            perform(work)
        }
    }

    /// With a budget: each connection takes a token (in arrival order, which paces reading
    /// too), then waits for a slot.
    private func scheduleOneByOne(_ batch: [Connection]) async -> Bool {
        for (index, connection) in batch.enumerated() {
            guard mayStart(now: .now), await fanOut.budget?.acquire(deadline: deadline) ?? true else {
                account { $0.skip(batch[index...], atDeadline: running) }
                return false
            }
            await withCheckedContinuation { free in
                let now = state.withLock { state in
                    guard state.window.room > 0 else {
                        state.slotFree = free
                        return false
                    }
                    state.window.take(1)
                    return true
                }
                if now { free.resume() }
            }
            attempt(connection, after: 0, throttled: false)
        }
        return true
    }

    /// Waits until every post has ended (its last attempt answered, or given up).
    func drained() async {
        await withCheckedContinuation { drained in
            let done = state.withLock { state in
                guard state.window.inFlight > 0 else { return true }
                state.drained = drained
                return false
            }
            if done { drained.resume() }
        }
    }

    /// Starts attempt `attempts + 1` at `connection`, unless the fan-out stopped or its time is up.
    private func attempt(_ connection: Connection, after attempts: Int, throttled: Bool) {
        let now = ContinuousClock.now
        guard mayStart(now: now) else { return end(connection, attempts == 0 ? .skipped : .failed(throttled: throttled)) }
        start(connection) { outcome in
            self.answered(connection, outcome, attempts: attempts + 1, throttled: throttled, sentAt: now)
        }
    }

    /// One attempt's answer: the connection's end, or a retry after its backoff.
    private func answered(_ connection: Connection, _ outcome: PostOutcome, attempts: Int, throttled: Bool, sentAt: ContinuousClock.Instant) {
        var wasThrottled = throttled
        switch outcome {
        case .delivered, .gone, .rejected:
            return end(connection, .done(outcome, throttled: wasThrottled))
        case .forbidden:
            stopped.set()
            return end(connection, .done(outcome, throttled: wasThrottled))
        case .throttled:
            wasThrottled = true
            if let budget = fanOut.budget { budget.throttled(sentAt: sentAt) } else { state.withLock { $0.window.throttled() } }
        case .transient:
            if attempts >= fanOut.maxTransientAttempts { return end(connection, .failed(throttled: wasThrottled)) }
        }
        let wait = fanOut.backoff(attempts)
        guard ContinuousClock.now + wait < deadline else { return end(connection, .failed(throttled: wasThrottled)) }
        Task { [wasThrottled] in
            try? await Task.sleep(for: wait)
            // The first attempt's token was taken when the connection started; each retry takes its own.
            guard mayStart(now: .now), await fanOut.budget?.acquire(deadline: deadline) ?? true else {
                return end(connection, .failed(throttled: wasThrottled))
            }
            attempt(connection, after: attempts, throttled: wasThrottled)
        }
    }

    /// `connection` ended as `outcome`: its slot goes to the next connection.
    private func end(_ connection: Connection, _ outcome: FinalOutcome) {
        let work = state.withLock { state in
            state.report.record(outcome, for: connection)
            state.window.release(succeeded: outcome.isDelivered)
            return next(&state)
        }
        perform(work)
    }

    /// What may start now, taken under the lock: free slots go to the scheduler waiting for
    /// one, or to the batch's next connections; the rest of the batch is skipped once the
    /// fan-out stopped or its time is up.
    private func next(_ state: inout State) -> Work {
        var work = Work()
        if let waiter = state.slotFree, state.window.room > 0 {
            state.window.take(1)
            state.slotFree = nil
            work.slotFree = waiter
        }
        if let scheduled = state.batchScheduled {
            var allStarted = true
            if !state.batch.isEmpty, state.window.room > 0 {
                if mayStart(now: .now) {
                    let count = min(state.window.room, state.batch.count)
                    state.window.take(count)
                    work.start = state.batch.prefix(count)
                    state.batch = state.batch.dropFirst(count)
                } else {
                    state.report.skip(state.batch, atDeadline: running)
                    state.batch = []
                    allStarted = false
                }
            }
            if state.batch.isEmpty {
                state.batchScheduled = nil
                work.batchScheduled = (scheduled, allStarted)
            }
        }
        if state.window.inFlight == 0, let drained = state.drained {
            state.drained = nil
            work.drained = drained
        }
        return work
    }

    private func perform(_ work: Work) {
        if let scheduled = work.batchScheduled { scheduled.waiter.resume(returning: scheduled.allStarted) }
        work.slotFree?.resume()
        for connection in work.start { attempt(connection, after: 0, throttled: false) }
        work.drained?.resume()
    }
}
