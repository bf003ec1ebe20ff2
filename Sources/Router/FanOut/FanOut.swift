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
///   flight, and a consumer of the batches sees them taken at the rate they are posted;
/// - without a budget, an answer starts the next connection's post on the thread that
///   carried it (``PostDispatch``): no task and no hop between threads per post.
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

    /// Starts one attempt at one connection and calls `finished` once with its outcome, from
    /// any thread but not from within the call itself (an attempt answered at once would
    /// recurse into the next one): the sink's transport calls it from its event loop.
    public typealias StartPost = @Sendable (_ connection: Connection, _ finished: @escaping @Sendable (PostOutcome) -> Void) -> Void

    /// Posts to every connection of `connections`, each attempt started by `start`, until `deadline`.
    public func run(_ connections: ConnectionBatches, deadline: ContinuousClock.Instant, start: @escaping StartPost) async -> SinkReport {
        let dispatch = PostDispatch(fanOut: self, deadline: deadline, start: start)
        let handoff = BatchHandoff()
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await connections.forEach { batch in
                        guard await handoff.pass(batch) else {
                            dispatch.account { $0.skip(batch[...], atDeadline: dispatch.running) }
                            throw StopReading()
                        }
                    }
                } catch is StopReading {
                } catch where ContinuousClock.now >= deadline {
                    // A read the deadline cut short (its call is bounded by it too): not a failure of the store.
                    dispatch.account { $0.unreadAtDeadline = true }
                } catch {
                    dispatch.account { $0.readError = "\(error)" }
                }
                handoff.finishReading()
            }
            await withTaskCancellationHandler {
                while let batch = await handoff.next() {
                    guard await dispatch.schedule(batch) else {
                        handoff.stop()
                        break
                    }
                    handoff.taken()
                }
                await dispatch.drained()
            } onCancel: {
                dispatch.cancelled.set()
            }
        }
        return dispatch.report
    }

    /// ``run(_:deadline:start:)`` for posts that are async functions: each attempt in a task of its own.
    public func run(
        _ connections: ConnectionBatches, deadline: ContinuousClock.Instant, post: @escaping @Sendable (Connection) async -> PostOutcome
    ) async -> SinkReport {
        await run(connections, deadline: deadline) { connection, finished in
            Task { finished(await post(connection)) }
        }
    }

    struct StopReading: Error {}
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
