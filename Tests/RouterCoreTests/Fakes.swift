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
