/// A ``ConnectionStore`` held in memory: for tests, for dev mode, and as the reference
/// behaviour every other store is checked against.
public actor MemoryConnectionStore: ConnectionStore {
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
