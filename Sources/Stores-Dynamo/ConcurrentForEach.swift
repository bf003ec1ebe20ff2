/// Runs `body` for every element with at most `limit` calls in flight; the first error
/// cancels the rest and is rethrown.
func concurrentForEach<Element: Sendable>(
    _ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var pending = elements.makeIterator()
        for _ in 0..<max(limit, 1) {
            guard let element = pending.next() else { break }
            group.addTask { try await body(element) }
        }
        while try await group.next() != nil {
            if let element = pending.next() { group.addTask { try await body(element) } }
        }
    }
}
