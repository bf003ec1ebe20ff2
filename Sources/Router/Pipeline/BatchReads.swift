/// The store reads of one batch, planned so that they are shared: every broadcast of the
/// batch reads one Scan, every multicast reads one Query per distinct user of the whole
/// batch. Each request then gets only its own connections, with its exclusions (and, when
/// asked, repeated connection ids) removed batch by batch as pages arrive.
struct BatchReads {
    private let scan: SharedRead?
    private let users: SharedRead?

    init(for audiences: [Audience], store: any ConnectionStore) {
        let broadcasts = audiences.filter { $0.target == .broadcast }.count
        var seen = Set<String>()
        var allUsers: [String] = []
        var multicasts = 0
        for audience in audiences {
            guard case .users(let users) = audience.target, !users.isEmpty else { continue }
            multicasts += 1
            allUsers += users.filter { seen.insert($0).inserted }
        }
        scan = broadcasts > 0 ? SharedRead(store.scan(), subscribers: broadcasts) : nil
        users = multicasts > 0 ? SharedRead(store.connections(of: allUsers), subscribers: multicasts) : nil
    }

    /// The connections of `audience`; every audience this plan was made for must read its
    /// connections exactly once.
    func connections(for audience: Audience) -> ConnectionBatches {
        var connections: ConnectionBatches
        switch audience.target {
        case .broadcast:
            guard let scan else { return .empty }
            connections = scan.batches()
        case .users(let targeted):
            guard !targeted.isEmpty, let users else { return .empty }
            let wanted = Set(targeted)
            // A user another request names and the store could not read is not this one's failure.
            connections = users.batches(of: wanted) { error in (error as? UnreadUsers).map { $0.restricted(to: wanted) } ?? error }
            if audience.uniqueConnections { connections = connections.uniqueConnectionIDs() }
        }
        guard !audience.excludedUsers.isEmpty || !audience.excludedConnections.isEmpty else { return connections }
        return connections.filter(audience.admits)
    }
}
