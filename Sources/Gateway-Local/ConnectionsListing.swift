import FoundationEssentials
import RouterCore

/// `GET /dev/connections`, what the dev console's table shows: every open socket, oldest
/// first, as `{"connections":[{"user_id","connection_id","connected_at","rooms","received"}]}`
/// (`connected_at` in ISO 8601, `rooms` the user's rooms in the gateway's directory,
/// `received` the posts written to the socket).
enum ConnectionsListing {
    static func json(_ connections: LiveConnections, rooms: MemoryRoomDirectory?) -> String {
        let roomsByUser = rooms?.roomsByUser ?? [:]
        var entries: [String] = []
        for connection in connections.all.sorted(by: { ($0.connectedAt, $0.id) < ($1.connectedAt, $1.id) }) {
            let joined = roomsByUser[connection.userID] ?? []
            let fields = [
                #""user_id":\#(connection.userID.jsonQuoted)"#,
                #""connection_id":\#(connection.id.jsonQuoted)"#,
                #""connected_at":\#(connection.connectedAt.formatted(.iso8601).jsonQuoted)"#,
                #""rooms":[\#(joined.map(\.jsonQuoted).joined(separator: ","))]"#,
                #""received":\#(connection.received)"#,
            ]
            entries.append("{" + fields.joined(separator: ",") + "}")
        }
        return #"{"connections":[\#(entries.joined(separator: ","))]}"# + "\n"
    }
}
