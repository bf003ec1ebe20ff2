/// The number of posts allowed in flight, adapted to throttling (AIMD): halved on a 429,
/// grown by one for every window's worth of successes, between 1 and the configured maximum.
/// A value: its owner (``PostDispatch``'s lock) serialises access.
struct AdaptiveWindow {
    let maximum: Int
    private(set) var limit: Double
    private(set) var inFlight = 0

    init(maximum: Int) {
        self.maximum = max(maximum, 1)
        self.limit = Double(self.maximum)
    }

    /// Posts that may start now.
    var room: Int { max(0, Int(limit) - inFlight) }

    mutating func take(_ count: Int) {
        inFlight += count
    }

    /// A post ended; a success grows the window (additive increase).
    mutating func release(succeeded: Bool) {
        inFlight -= 1
        if succeeded, limit < Double(maximum) { limit = min(Double(maximum), limit + 1 / limit) }
    }

    /// A post was throttled: multiplicative decrease.
    mutating func throttled() {
        limit = max(1, limit / 2)
    }
}
