/// A ``ConnectionStore`` held in memory: for tests, for dev mode, and as the reference
/// behaviour every other store is checked against.
public actor MemoryConnectionStore: SegmentScanning {
    private var connectionsByUser: [String: [String]] = [:]
    /// How many connections each yielded batch holds at most.
    public let batchSize: Int

    public init(batchSize: Int = 100, connections: [Connection] = []) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.batchSize = batchSize
        for connection in connections {
            connectionsByUser[connection.userID, default: []].append(connection.connectionID)
        }
    }

    nonisolated public func connections(of users: [String]) -> ConnectionBatches {
        batches { store in
            var seenUsers = Set<String>()
            return users.filter { seenUsers.insert($0).inserted }.flatMap { user in
                (store.connectionsByUser[user] ?? []).map { Connection(userID: user, connectionID: $0) }
            }
        }
    }

    nonisolated public func scan() -> ConnectionBatches {
        batches { store in
            store.connectionsByUser.flatMap { user, ids in ids.map { Connection(userID: user, connectionID: $0) } }
        }
    }

    /// A connection's segment is the hash of its user id; pages hold ``batchSize`` connections
    /// in (user, connection id) order, and the cursor is the last key of the page before.
    public func scanPage(segment: Int, of segments: Int, after cursor: String?) -> ScanPage {
        let after = cursor.flatMap(Self.key(cursor:))
        let page = connectionsByUser
            .filter { user, _ in Int(StableHash.fnv1a(user.utf8) % UInt64(segments)) == segment }
            .flatMap { user, ids in ids.map { Connection(userID: user, connectionID: $0) } }
            .filter { connection in after.map { (connection.userID, connection.connectionID) > $0 } ?? true }
            .sorted { ($0.userID, $0.connectionID) < ($1.userID, $1.connectionID) }
            .prefix(batchSize + 1)
        let connections = Array(page.prefix(batchSize))
        let next = page.count > batchSize ? connections.last.map { "\($0.userID.utf8.count):\($0.userID)\($0.connectionID)" } : nil
        return ScanPage(connections: connections, next: next)
    }

    /// The (user, connection id) a cursor `<user's UTF-8 length>:<user><connection id>` names.
    private static func key(cursor: String) -> (String, String)? {
        guard let colon = cursor.firstIndex(of: ":"), let length = Int(cursor[..<colon]) else { return nil }
        let rest = cursor.utf8[cursor.utf8.index(after: colon)...]
        guard rest.count >= length else { return nil }
        let split = rest.index(rest.startIndex, offsetBy: length)
        return (String(Substring(rest[..<split])), String(Substring(rest[split...])))
    }

    public func delete(_ connections: [Connection]) -> Int {
        for connection in Set(connections) {
            connectionsByUser[connection.userID]?.removeAll { $0 == connection.connectionID }
            if connectionsByUser[connection.userID]?.isEmpty == true { connectionsByUser[connection.userID] = nil }
        }
        return Set(connections).count
    }

    public func put(_ connection: Connection) {
        insert(connection)
    }

    /// Every connection currently stored.
    public var all: Set<Connection> {
        Set(connectionsByUser.flatMap { user, ids in ids.map { Connection(userID: user, connectionID: $0) } })
    }

    private func insert(_ connection: Connection) {
        var ids = connectionsByUser[connection.userID] ?? []
        if !ids.contains(connection.connectionID) { ids.append(connection.connectionID) }
        connectionsByUser[connection.userID] = ids
    }

    /// Snapshots the selected connections when reading starts, then hands them over in
    /// batches of ``batchSize``.
    nonisolated private func batches(_ select: @escaping @Sendable (isolated MemoryConnectionStore) -> [Connection]) -> ConnectionBatches {
        ConnectionBatches { consume in
            let selected = await self.snapshot(select)
            var start = 0
            while start < selected.count {
                let end = min(start + self.batchSize, selected.count)
                try await consume(Array(selected[start..<end]))
                start = end
            }
        }
    }

    private func snapshot(_ select: @Sendable (isolated MemoryConnectionStore) -> [Connection]) -> [Connection] {
        select(self)
    }
}

extension MemoryConnectionStore {
    /// `type: memory` takes no options.
    public struct Configuration: ConnectionStoreConfiguration {
        public init(options: inout ConfigMapping) throws(ConfigError) {}
        public var settings: [ConfigSetting] { [] }
        public func makeStore(_ context: PluginContext) -> any ConnectionStore { MemoryConnectionStore() }
    }
}
