import Synchronization

/// One read of the store shared by several requests of a batch: the broadcasts of a batch
/// scan the table once, and the multicasts query each distinct user once.
///
/// Each subscriber gets ``batches()``; reading starts when the last of `subscribers` has
/// started reading (every sink reads its connections exactly once), runs in that
/// subscriber's task, and hands every page to every subscriber that is still reading. A
/// subscriber whose consumer throws (it stopped, e.g. on a 403) gets no further pages. A
/// read error reaches each subscriber through its `charge`, which may decide that the error
/// does not concern it (``UnreadUsers`` of users it does not name).
final class SharedRead: Sendable {
    /// The error a subscriber sees when the read failed with the given one; nil: none.
    typealias Charge = @Sendable (any Error) -> (any Error)?

    private struct State {
        var consumers: [Int: ConnectionBatches.Consumer] = [:]
        var waiting: [(continuation: CheckedContinuation<Void, any Error>, charge: Charge)] = []
        var joined = 0
        var result: Result<Void, any Error>?
    }

    private let source: ConnectionBatches
    private let subscribers: Int
    private let state = Mutex(State())

    init(_ source: ConnectionBatches, subscribers: Int) {
        self.source = source
        self.subscribers = subscribers
    }

    func batches(charging charge: @escaping Charge = { $0 }) -> ConnectionBatches {
        ConnectionBatches { consume in try await self.join(consume, charge: charge) }
    }

    private func join(_ consume: @escaping ConnectionBatches.Consumer, charge: @escaping Charge) async throws {
        let isLast = state.withLock { state in
            state.consumers[state.joined] = consume
            state.joined += 1
            return state.joined == subscribers
        }
        guard isLast else {
            try await withCheckedThrowingContinuation { continuation in
                let finished = state.withLock { state in
                    if state.result == nil { state.waiting.append((continuation, charge)) }
                    return state.result
                }
                if let finished { continuation.resume(with: Self.charged(charge, finished)) }
            }
            return
        }
        let result: Result<Void, any Error>
        do {
            try await source.forEach { batch in try await self.handOut(batch) }
            result = .success(())
        } catch is Finished {
            result = .success(())
        } catch {
            result = .failure(error)
        }
        let waiting = state.withLock { state in
            state.result = result
            return state.waiting
        }
        for waiter in waiting { waiter.continuation.resume(with: Self.charged(waiter.charge, result)) }
        try Self.charged(charge, result).get()
    }

    private static func charged(_ charge: Charge, _ result: Result<Void, any Error>) -> Result<Void, any Error> {
        guard case .failure(let error) = result, let charged = charge(error) else { return .success(()) }
        return .failure(charged)
    }

    private func handOut(_ batch: [Connection]) async throws {
        let consumers = state.withLock { $0.consumers }
        guard !consumers.isEmpty else { throw Finished() }
        await withTaskGroup(of: Int?.self) { group in
            for (key, consume) in consumers {
                group.addTask {
                    do {
                        try await consume(batch)
                        return nil
                    } catch {
                        return key
                    }
                }
            }
            for await stopped in group {
                if let stopped { state.withLock { _ = $0.consumers.removeValue(forKey: stopped) } }
            }
        }
    }

    /// Every subscriber stopped: reading can stop too.
    struct Finished: Error {}
}
