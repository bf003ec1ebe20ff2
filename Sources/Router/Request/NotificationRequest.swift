/// One notification request, as backends publish it (DESIGN §1), after validation.
///
/// Field meanings follow the original `apigw-websocket-pusher` format; list fields that were
/// absent or `null` are empty, and `users` keeps the difference between absent and empty
/// only as far as the audience needs it (both mean "no explicit users").
public struct NotificationRequest: Sendable, Hashable {
    /// The idempotency key (`id`), used by the `dedupe` stage across requests.
    public var id: String?
    /// Users to multicast to (`users`); empty means broadcast unless `rooms` is given.
    public var users: [String]
    /// Users who must never receive this request (`exclude_users`), any number of them.
    public var excludeUsers: [String]
    /// Rooms whose members receive the request (`rooms`), expanded by the `rooms` stage.
    public var rooms: [String]
    /// Connection ids that must never receive this request (`exclude_connections`).
    public var excludeConnections: [String]
    /// What every target connection receives, byte for byte.
    public var data: Payload

    public init(
        id: String? = nil,
        users: [String] = [],
        excludeUsers: [String] = [],
        rooms: [String] = [],
        excludeConnections: [String] = [],
        data: Payload
    ) {
        self.id = id
        self.users = users
        self.excludeUsers = excludeUsers
        self.rooms = rooms
        self.excludeConnections = excludeConnections
        self.data = data
    }
}
