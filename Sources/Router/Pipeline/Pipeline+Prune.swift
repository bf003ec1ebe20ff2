import Logging

extension Pipeline {
    /// Gone connections deleted per store call: one write for stores that batch deletes
    /// (DynamoDB's `BatchWriteItem` takes 25 keys).
    static let pruneBatch = 25
    /// Delete calls in flight at once.
    static let pruneConcurrency = 4

    /// Deletes the batch's gone connections once, in parallel batches, starting none after
    /// `deadline`; returns those now absent from the store. What is left is logged: a later
    /// post answered 410 finds it again.
    func prune(_ gone: Set<Connection>, deadline: ContinuousClock.Instant, logger: Logger) async -> Set<Connection> {
        guard !gone.isEmpty else { return [] }
        let all = Array(gone)
        let chunks = stride(from: 0, to: all.count, by: Self.pruneBatch).map { Array(all[$0..<min($0 + Self.pruneBatch, all.count)]) }
        let (deleted, errors) = await withTaskGroup(of: Result<[Connection], any Error>?.self) { group in
            var pending = chunks.makeIterator()
            func startNext() -> Bool {
                guard ContinuousClock.now < deadline, let chunk = pending.next() else { return false }
                group.addTask {
                    guard ContinuousClock.now < deadline else { return nil }
                    do {
                        _ = try await store.delete(chunk)
                        return .success(chunk)
                    } catch {
                        return .failure(error)
                    }
                }
                return true
            }
            for _ in 0..<Self.pruneConcurrency where !startNext() { break }
            var deleted = Set<Connection>()
            var errors: [String] = []
            for await result in group {
                switch result {
                case .success(let chunk): deleted.formUnion(chunk)
                case .failure(let error): errors.append("\(error)")
                case nil: break
                }
                _ = startNext()
            }
            return (deleted, errors)
        }
        if deleted.count < gone.count {
            var logger = logger
            logger[metadataKey: "router.route"] = "\(route)"
            let why = errors.first.map { "the store failed: \($0)" } ?? "the deadline passed"
            logger.error("prune_incomplete: \(gone.count - deleted.count) of \(gone.count) gone connections were left in the store (\(why)); a later post answered 410 finds them again")
        }
        return deleted
    }
}
