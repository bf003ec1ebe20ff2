import Synchronization

/// One read of the store shared by several requests of a batch: the broadcasts of a batch
/// scan the table once, and the multicasts query each distinct user once.
///
/// Each subscriber gets ``batches(of:charging:)``; reading starts when the last of
/// `subscribers` has started reading (every sink reads its connections exactly once), runs
/// in that subscriber's task, and hands each page to the subscribers still reading, each
/// getting only the connections of the users it named (all of them when it named none). A
/// page is handed to a subscriber only when its share is not empty, so a batch of many
/// multicasts costs one hand-over per user's page, not one per page and request. A
/// subscriber whose consumer throws (it stopped, e.g. on a 403) gets no further pages. A
/// read error reaches each subscriber through its `charge`, which may decide that the error
/// does not concern it (``UnreadUsers`` of users it does not name).
final class SharedRead: Sendable {
    /// The error a subscriber sees when the read failed with the given one; nil: none.
    typealias Charge = @Sendable (any Error) -> (any Error)?

    private struct Subscriber {
        let consume: ConnectionBatches.Consumer
        /// The users whose connections it wants; nil: every connection.
        let users: Set<String>?
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        /// The keys of the subscribers that named each user.
        var subscribersOfUser: [String: [Int]] = [:]
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

    /// The connections of `users` (nil: all connections) this read finds.
    func batches(of users: Set<String>? = nil, charging charge: @escaping Charge = { $0 }) -> ConnectionBatches {
        ConnectionBatches { consume in try await self.join(Subscriber(consume: consume, users: users), charge: charge) }
    }

    private func join(_ subscriber: Subscriber, charge: @escaping Charge) async throws {
        let isLast = state.withLock { state in
            let key = state.joined
            state.subscribers[key] = subscriber
            for user in subscriber.users ?? [] { state.subscribersOfUser[user, default: []].append(key) }
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
        let shares = try state.withLock { state in
            guard !state.subscribers.isEmpty else { throw Finished() }
            return Self.shares(of: batch, among: state)
        }
        if shares.count == 1, let only = shares.first {
            do { try await only.consume(only.connections) } catch { stop(only.key) }
            return
        }
        await withTaskGroup(of: Int?.self) { group in
            for share in shares {
                group.addTask {
                    do {
                        try await share.consume(share.connections)
                        return nil
                    } catch {
                        return share.key
                    }
                }
            }
            for await stopped in group {
                if let stopped { stop(stopped) }
            }
        }
    }

    private struct Share {
        let key: Int
        let consume: ConnectionBatches.Consumer
        var connections: [Connection]
    }

    /// Each subscriber's part of `batch`, for the subscribers whose part is not empty.
    private static func shares(of batch: [Connection], among state: State) -> [Share] {
        var shares: [Share] = []
        var indexOfKey: [Int: Int] = [:]
        for (key, subscriber) in state.subscribers where subscriber.users == nil {
            shares.append(Share(key: key, consume: subscriber.consume, connections: batch))
        }
        guard !state.subscribersOfUser.isEmpty else { return shares }
        for connection in batch {
            for key in state.subscribersOfUser[connection.userID] ?? [] {
                guard let subscriber = state.subscribers[key] else { continue }
                if let index = indexOfKey[key] {
                    shares[index].connections.append(connection)
                } else {
                    indexOfKey[key] = shares.count
                    shares.append(Share(key: key, consume: subscriber.consume, connections: [connection]))
                }
            }
        }
        return shares
    }

    private func stop(_ key: Int) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: key) }
    }

    /// Every subscriber stopped: reading can stop too.
    struct Finished: Error {}
}
