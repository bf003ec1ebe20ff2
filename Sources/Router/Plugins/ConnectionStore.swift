import Synchronization

/// Where connections live: the table the WebSocket gateway writes on connect and the router
/// reads to find targets and prunes when a connection is gone.
///
/// Every implementation guarantees:
/// - ``connections(of:)`` yields every connection of the given users, each at most once,
///   reading all pages of the underlying store; users with no connections yield nothing;
///   when some users' connections cannot be read for reasons of their own (a key the store
///   refuses), it reads the others and then throws ``UnreadUsers`` naming them, so one bad
///   user does not fail the requests of a batch that do not name it;
/// - ``scan()`` yields every connection in the store exactly once, in batches, holding no
///   more than the batches in flight in memory (never the whole table);
/// - ``delete(_:)`` removes the given keys, tolerates duplicates and keys already gone, and
///   returns how many distinct keys it removed or found absent;
/// - errors name the store (table, region) and what failed, and never include credentials.
public protocol ConnectionStore: Sendable {
    /// Every connection of `users`, in batches.
    func connections(of users: [String]) -> ConnectionBatches
    /// Every connection in the store, in batches.
    func scan() -> ConnectionBatches
    /// Removes stale connections; returns the number of distinct keys now absent.
    func delete(_ connections: [Connection]) async throws -> Int
    /// Records a new connection (`$connect`).
    func put(_ connection: Connection) async throws
    /// The user a connection id belongs to (`$disconnect` without the user), nil if unknown.
    func owner(of connectionID: String) async throws -> String?
}

extension ConnectionStore {
    /// Reads the whole store to find the connection; stores with an index on connection ids
    /// answer faster by implementing it themselves.
    public func owner(of connectionID: String) async throws -> String? {
        let found = OwnerSearch()
        try await scan().forEach { batch in
            if let match = batch.first(where: { $0.connectionID == connectionID }) { found.set(match.userID) }
        }
        return found.value
    }
}

/// The first owner found by a concurrent scan.
private final class OwnerSearch: Sendable {
    private let owner = Mutex<String?>(nil)
    func set(_ user: String) { owner.withLock { $0 = $0 ?? user } }
    var value: String? { owner.withLock { $0 } }
}

/// Who is in which room.
///
/// Every implementation guarantees that ``members(of:)`` returns each member of the given
/// rooms once (across rooms), reading all pages, and that an unknown room has no members.
public protocol RoomDirectory: Sendable {
    /// The distinct users who are members of any of `rooms`.
    func members(of rooms: [String]) async throws -> Set<String>
}
