/// One WebSocket connection as the connection table holds it: the key of one item.
public struct Connection: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The hash key (`user_id` by default).
    public let userID: String
    /// The range key: the API Gateway connection id (`connection_id` by default).
    public let connectionID: String

    public init(userID: String, connectionID: String) {
        self.userID = userID
        self.connectionID = connectionID
    }

    public var description: String { "\(userID)/\(connectionID)" }

    /// A 64-bit FNV-1a hash of the connection id, the same in every process: what
    /// ``RedeliveryMemory`` keeps instead of the id (8 bytes a connection).
    public var deliveryKey: UInt64 {
        StableHash.fnv1a(connectionID.utf8)
    }
}
