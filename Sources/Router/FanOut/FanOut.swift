import Synchronization

/// Posts one payload to a stream of connections with a bounded, adaptive number of posts in
/// flight, and reports what became of every connection (DESIGN §2, §3).
///
/// Guarantees:
/// - at most `maxInFlight` posts run at once; a 429 halves the window and is retried with
///   jittered backoff, successes grow it back;
/// - with a ``PostingBudget``, every attempt (retries too) takes a token of that budget,
///   which the sink shares across its fan-outs, and a 429 tells the budget instead of the
///   window (the window then only bounds the posts in flight); the first attempt's token is
///   taken before the next connection is, so the budget paces reading too;
/// - transient failures (5xx, resets, timeouts) are retried with jittered backoff while the
///   deadline allows; whatever is still failing then is counted `failed`;
/// - no post starts after the deadline, and reading stops then (the rest of the table is not
///   read to count it): connections read but not attempted are `skipped`, and the report says
///   that more were left unread;
/// - a 403 stops the request: no new post starts, and reading stops;
/// - every connection read ends in exactly one class: delivered, gone, rejected, forbidden,
///   failed or skipped;
/// - reading is paced by posting: batches are taken one at a time (``BatchHandoff``), each
///   connection once it has a free slot (and a token of the budget), and a batch's reader
///   reads on only when all of it was taken, so memory holds the window and the pages in
///   flight, and a consumer of the batches sees them taken at the rate they are posted.
public struct FanOut: Sendable {
    public let maxInFlight: Int
    /// The wait before the next attempt at one connection after `attempt` attempts (from 1)
    /// failed: the sink's retry policy (jittered exponential backoff).
    public let backoff: @Sendable (_ attempt: Int) -> Duration
    /// Attempts at one connection that keeps failing transiently (429s retry until the deadline).
    public let maxTransientAttempts: Int
    /// The posts per second the sink may start, shared by its fan-outs; `nil`: no limit.
    public let budget: PostingBudget?

    public init(
        maxInFlight: Int = 256, maxTransientAttempts: Int = 6, budget: PostingBudget? = nil,
        backoff: @escaping @Sendable (_ attempt: Int) -> Duration
    ) {
        self.maxInFlight = maxInFlight
        self.backoff = backoff
        self.maxTransientAttempts = maxTransientAttempts
        self.budget = budget
    }

    /// Posts to every connection of `connections` with `post`, until `deadline`.
    public func run(
        _ connections: ConnectionBatches, deadline: ContinuousClock.Instant,
        post: @escaping @Sendable (Connection) async -> PostOutcome
    ) async -> SinkReport {
        let window = AdaptiveWindow(maximum: maxInFlight)
        let report = SharedReport()
        let stopped = StopFlag()
        let handoff = BatchHandoff()

        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await connections.forEach { batch in
                        guard await handoff.pass(batch) else {
                            report.state.withLock { $0.skip(batch[...], atDeadline: !stopped.isSet) }
                            throw StopReading()
                        }
                    }
                } catch is StopReading {
                } catch where ContinuousClock.now >= deadline {
                    // A read the deadline cut short (its call is bounded by it too): not a failure of the store.
                    report.state.withLock { $0.unreadAtDeadline = true }
                } catch {
                    report.state.withLock { $0.readError = "\(error)" }
                }
                handoff.finishReading()
            }
            scheduling: while let batch = await handoff.next() {
                for (index, connection) in batch.enumerated() {
                    let mayPost = !stopped.isSet && ContinuousClock.now < deadline
                    // The first attempt's token is taken here, so that the budget paces reading.
                    guard mayPost, await budget?.acquire(deadline: deadline) ?? true else {
                        report.state.withLock { $0.skip(batch[index...], atDeadline: !stopped.isSet) }
                        handoff.stop()
                        break scheduling
                    }
                    await window.acquire()
                    group.addTask {
                        let outcome = await attempt(connection, deadline: deadline, window: window, stopped: stopped, post: post)
                        report.state.withLock { $0.record(outcome, for: connection) }
                        await window.release(succeeded: outcome.isDelivered)
                    }
                }
                handoff.taken()
            }
        }
        return report.state.withLock { $0 }
    }

    /// The final outcome of one connection after retries, or `nil` when it was skipped.
    private func attempt(
        _ connection: Connection, deadline: ContinuousClock.Instant, window: AdaptiveWindow, stopped: StopFlag,
        post: @Sendable (Connection) async -> PostOutcome
    ) async -> FinalOutcome {
        var attempts = 0
        var wasThrottled = false
        while true {
            if stopped.isSet || ContinuousClock.now >= deadline { return attempts == 0 ? .skipped : .failed(throttled: wasThrottled) }
            // The reader took the first attempt's token; each retry takes its own.
            if attempts > 0, await budget?.acquire(deadline: deadline) == false { return .failed(throttled: wasThrottled) }
            attempts += 1
            let sentAt = ContinuousClock.now
            let outcome = await post(connection)
            switch outcome {
            case .delivered:
                return .done(.delivered, throttled: wasThrottled)
            case .gone, .rejected:
                return .done(outcome, throttled: wasThrottled)
            case .forbidden:
                stopped.set()
                return .done(outcome, throttled: wasThrottled)
            case .throttled:
                wasThrottled = true
                if let budget { budget.throttled(sentAt: sentAt) } else { await window.throttled() }
            case .transient:
                if attempts >= maxTransientAttempts { return .failed(throttled: wasThrottled) }
            }
            let wait = backoff(attempts)
            guard ContinuousClock.now + wait < deadline else { return .failed(throttled: wasThrottled) }
            do {
                try await Task.sleep(for: wait)
            } catch {
                return .failed(throttled: wasThrottled)  // cancelled: no more attempts
            }
        }
    }

    struct StopReading: Error {}
}

/// The report under construction, shared by the reader and the posts.
final class SharedReport: Sendable {
    let state = Mutex(SinkReport())
}

/// Set once a request must stop posting (a 403); read by every post and the reader.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// What one connection ended as, after retries.
enum FinalOutcome {
    case done(PostOutcome, throttled: Bool)
    case failed(throttled: Bool)
    case skipped

    var isDelivered: Bool {
        if case .done(.delivered, _) = self { return true }
        return false
    }
}

extension SinkReport {
    /// Connections read but never attempted: the fan-out stopped (a 403) or ran out of time.
    mutating func skip(_ connections: ArraySlice<Connection>, atDeadline: Bool) {
        skipped += connections.count
        unfinished += connections
        unreadAtDeadline = unreadAtDeadline || atDeadline
    }

    mutating func record(_ outcome: FinalOutcome, for connection: Connection) {
        switch outcome {
        case .skipped:
            skipped += 1
            unfinished.append(connection)
        case .failed(let wasThrottled):
            failed += 1
            unfinished.append(connection)
            if wasThrottled { throttled += 1 }
        case .done(let result, let wasThrottled):
            if wasThrottled { throttled += 1 }
            switch result {
            case .delivered:
                delivered += 1
                reached.append(connection.deliveryKey)
            case .gone: gone.append(connection)
            case .forbidden: forbidden += 1
            case .rejected: rejected += 1
            case .throttled, .transient:
                failed += 1
                unfinished.append(connection)
            }
        }
    }
}
