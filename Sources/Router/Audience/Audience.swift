/// Who a request is for, as the stages shape it: the target (broadcast or a list of users),
/// rooms not yet expanded, and the exclusions applied when connections are resolved.
///
/// An audience never widens by accident: rooms that are not expanded make the request
/// invalid rather than a broadcast, and an empty user list reaches nobody.
public struct Audience: Sendable, Hashable {
    /// Whom to resolve connections for.
    public enum Target: Sendable, Hashable {
        /// Every connection in the store.
        case broadcast
        /// The connections of these users (possibly none).
        case users([String])
    }

    public var target: Target
    /// Rooms named by the request that no stage has expanded yet.
    public var pendingRooms: [String]
    /// Users whose connections are never delivered to.
    public var excludedUsers: Set<String>
    /// Connection ids that are never delivered to.
    public var excludedConnections: Set<String>
    /// When set, a connection id reached through two users is delivered to once.
    public var uniqueConnections: Bool

    public init(
        target: Target,
        pendingRooms: [String] = [],
        excludedUsers: Set<String> = [],
        excludedConnections: Set<String> = [],
        uniqueConnections: Bool = false
    ) {
        self.target = target
        self.pendingRooms = pendingRooms
        self.excludedUsers = excludedUsers
        self.excludedConnections = excludedConnections
        self.uniqueConnections = uniqueConnections
    }

    /// The audience a request asks for before any stage runs: its users, else its rooms
    /// (pending expansion), else everyone. Exclusions are left to the `exclude` stage.
    public init(request: NotificationRequest) {
        if !request.users.isEmpty {
            self.init(target: .users(request.users), pendingRooms: request.rooms)
        } else if !request.rooms.isEmpty {
            self.init(target: .users([]), pendingRooms: request.rooms)
        } else {
            self.init(target: .broadcast)
        }
    }

    /// Whether a connection passes the exclusions.
    public func admits(_ connection: Connection) -> Bool {
        !excludedUsers.contains(connection.userID) && !excludedConnections.contains(connection.connectionID)
    }
}
