/// The number of posts allowed in flight, adapted to throttling (AIMD): halved on a 429,
/// grown by one for every window's worth of successes, between 1 and the configured maximum.
/// Posts wait in arrival order for a free slot.
actor AdaptiveWindow {
    let maximum: Int
    private(set) var limit: Double
    private var inFlight = 0
    private var line = WaitingLine()

    init(maximum: Int) {
        self.maximum = max(maximum, 1)
        self.limit = Double(self.maximum)
    }

    func acquire() async {
        if inFlight < Int(limit), line.isEmpty {
            inFlight += 1
            return
        }
        await withCheckedContinuation { line.append($0) }
    }

    /// A post ended; a success grows the window (additive increase).
    func release(succeeded: Bool) {
        inFlight -= 1
        if succeeded, limit < Double(maximum) { limit = min(Double(maximum), limit + 1 / limit) }
        wakeWaiters()
    }

    /// A post was throttled: multiplicative decrease.
    func throttled() {
        limit = max(1, limit / 2)
    }

    private func wakeWaiters() {
        while inFlight < Int(limit), let waiter = line.popFirst() {
            inFlight += 1
            waiter.resume()
        }
    }
}
