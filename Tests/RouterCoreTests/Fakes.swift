import RouterCore
import Synchronization

/// A settable monotonic time source for the dedupe window.
final class ManualTime: Sendable {
    private let now = Mutex<Duration>(.zero)
    var read: @Sendable () -> Duration { { self.now.withLock { $0 } } }
    func advance(_ by: Duration) { now.withLock { $0 += by } }
}

/// A room directory that fails until healed, then has bob in every room.
final class FailingRooms: RoomDirectory {
    private let healed = Mutex(false)
    struct Unreachable: Error {}

    func heal() { healed.withLock { $0 = true } }

    func members(of rooms: [String]) async throws -> Set<String> {
        guard healed.withLock({ $0 }) else { throw Unreachable() }
        return ["bob"]
    }
}

/// A store whose reads fail after one batch.
struct BrokenStore: ConnectionStore {
    struct ReadFailed: Error {}

    func connections(of users: [String]) -> ConnectionBatches { scan() }

    func scan() -> ConnectionBatches {
        ConnectionBatches { consume in
            try await consume([Connection(userID: "u", connectionID: "c")])
            throw ReadFailed()
        }
    }

    func delete(_ connections: [Connection]) async throws -> Int { 0 }
    func put(_ connection: Connection) async throws {}
}

/// A sink whose first delivery waits until the test releases it (then fails or delivers);
/// every later delivery goes straight through.
final class GatedSink: Sink {
    private struct State {
        var held = false
        var failing: Bool?
        var heldWaiters: [CheckedContinuation<Void, Never>] = []
        var releaseWaiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())

    func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let first = state.withLock { state in
            defer { state.held = true }
            return !state.held
        }
        var failing = false
        if first {
            for waiter in state.withLock({ state in defer { state.heldWaiters = [] }; return state.heldWaiters }) { waiter.resume() }
            failing = await withCheckedContinuation { continuation in
                let decided = state.withLock { state -> Bool? in
                    if state.failing == nil { state.releaseWaiters.append(continuation) }
                    return state.failing
                }
                if let decided { continuation.resume(returning: decided) }
            }
        }
        let read = Mutex<[Connection]>([])
        var report = SinkReport()
        do {
            try await connections.forEach { batch in read.withLock { $0 += batch } }
        } catch {
            report.readError = "\(error)"
        }
        let connections = read.withLock { $0 }
        if failing {
            report.failed = connections.count
            report.unfinished = connections
        } else {
            report.delivered = connections.count
        }
        return report
    }

    /// Returns once the first delivery is waiting.
    func waitUntilHeld() async {
        await withCheckedContinuation { continuation in
            let held = state.withLock { state -> Bool in
                if !state.held { state.heldWaiters.append(continuation) }
                return state.held
            }
            if held { continuation.resume() }
        }
    }

    /// Lets the first delivery end, failing every connection or delivering.
    func release(failing: Bool) {
        let waiters = state.withLock { state in
            state.failing = failing
            defer { state.releaseWaiters = [] }
            return state.releaseWaiters
        }
        for waiter in waiters { waiter.resume(returning: failing) }
    }
}
