/// Turns an audience into the connections to post to: a Query per user or a Scan of the
/// whole store, with exclusions (and, when asked, repeated connection ids) removed batch by
/// batch as pages arrive, so memory follows the pages in flight.
enum AudienceResolver {
    static func connections(for audience: Audience, in store: any ConnectionStore) -> ConnectionBatches {
        var connections: ConnectionBatches
        switch audience.target {
        case .broadcast:
            // A scan returns each item once, and keys are unique.
            connections = store.scan()
        case .users(let users):
            guard !users.isEmpty else { return .empty }
            connections = store.connections(of: users)
            if audience.uniqueConnections { connections = connections.uniqueConnectionIDs() }
        }
        guard !audience.excludedUsers.isEmpty || !audience.excludedConnections.isEmpty else { return connections }
        return connections.filter(audience.admits)
    }
}
