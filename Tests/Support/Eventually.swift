import Testing

/// Polls `condition` every 50 ms until it holds; records an issue naming `what` once `limit`
/// has passed (measured on the clock, however long each check takes). The systems under test
/// work asynchronously, and a check may itself take a while (a Python call to moto).
public func eventually(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + limit
    repeat {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    } while ContinuousClock.now < end
    Issue.record("never, in \(limit): \(what)")
}
