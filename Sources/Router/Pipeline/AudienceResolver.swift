/// Turns an audience into the stream of connections to post to: a Query per user or a Scan
/// of the whole store, with exclusions (and, when asked, repeated connection ids) removed
/// batch by batch as pages arrive, so memory follows the pages in flight.
enum AudienceResolver {
    static func connections(for audience: Audience, in store: any ConnectionStore) -> ConnectionBatches {
        let source: ConnectionBatches
        var uniqueConnections = false
        switch audience.target {
        case .broadcast:
            // A scan returns each item once, and keys are unique.
            source = store.scan()
        case .users(let users):
            guard !users.isEmpty else { return AsyncThrowingStream { $0.finish() } }
            source = store.connections(of: users)
            uniqueConnections = audience.uniqueConnections
        }
        guard uniqueConnections || !audience.excludedUsers.isEmpty || !audience.excludedConnections.isEmpty else {
            return source
        }
        let unique = uniqueConnections
        return AsyncThrowingStream { continuation in
            let task = Task {
                var seen = Set<String>()
                do {
                    for try await batch in source {
                        let admitted = batch.filter { connection in
                            audience.admits(connection) && (!unique || seen.insert(connection.connectionID).inserted)
                        }
                        if !admitted.isEmpty { continuation.yield(admitted) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
