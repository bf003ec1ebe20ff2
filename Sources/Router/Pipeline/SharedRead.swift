import Synchronization

/// One read of the store shared by several requests of a batch: the broadcasts of a batch
/// scan the table once, and the multicasts query each distinct user once.
///
/// Each subscriber gets ``batches()``; reading starts when the last of `subscribers` has
/// started reading (every sink reads its connections exactly once), runs in that
/// subscriber's task, and hands every page to every subscriber that is still reading. A
/// subscriber whose consumer throws (it stopped, e.g. on a 403) gets no further pages.
final class SharedRead: Sendable {
    private struct State {
        var consumers: [Int: ConnectionBatches.Consumer] = [:]
        var waiting: [CheckedContinuation<Void, any Error>] = []
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

    func batches() -> ConnectionBatches {
        ConnectionBatches { consume in try await self.join(consume) }
    }

    private func join(_ consume: @escaping ConnectionBatches.Consumer) async throws {
        let isLast = state.withLock { state in
            state.consumers[state.joined] = consume
            state.joined += 1
            return state.joined == subscribers
        }
        guard isLast else {
            try await withCheckedThrowingContinuation { continuation in
                let finished = state.withLock { state in
                    if state.result == nil { state.waiting.append(continuation) }
                    return state.result
                }
                if let finished { continuation.resume(with: finished) }
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
        for waiter in waiting { waiter.resume(with: result) }
        try result.get()
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
