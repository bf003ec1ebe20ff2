/// What a process remembers of requests that will be delivered again: the connections each
/// already reached (as ``Connection/deliveryKey``), so that a redelivery (an SQS message
/// back from its queue, an SNS retry) posts only to the connections that did not get it.
///
/// A request is remembered from a delivery attempt that must be retried until an attempt
/// completes, for at most `retention`. Memory is bounded by `capacity` connection keys over
/// all requests (the oldest requests are forgotten first). Forgetting is always safe: the
/// redelivery then posts to every connection again (at least once, as before).
public actor RedeliveryMemory {
    public nonisolated let capacity: Int
    public nonisolated let retention: Duration
    private let now: @Sendable () -> Duration
    private var entries: [String: Entry] = [:]
    /// Keys in the order they were last remembered; an element whose `until` no longer
    /// matches its entry is stale and skipped.
    private var order: [(key: String, until: Duration)] = []
    private var orderStart = 0
    private var held = 0

    private struct Entry {
        var reached: Set<UInt64>
        var until: Duration
    }

    public init(capacity: Int = 250_000, retention: Duration = .seconds(3600), now: @escaping @Sendable () -> Duration = DedupeWindow.uptime) {
        self.capacity = capacity
        self.retention = retention
        self.now = now
    }

    /// The connections `key`'s earlier attempts reached, nil when none is remembered.
    public func reached(for key: String) -> Set<UInt64>? {
        expire()
        return entries[key]?.reached
    }

    /// Adds the connections an attempt of `key` reached; the request will come again.
    public func remember(_ key: String, reached: [UInt64]) {
        expire()
        let until = now() + retention
        var entry = entries.removeValue(forKey: key) ?? Entry(reached: [], until: until)
        held -= entry.reached.count
        entry.reached.formUnion(reached)
        entry.until = until
        held += entry.reached.count
        entries[key] = entry
        order.append((key, until))
        while held > capacity, orderStart < order.count { forgetOldest() }
    }

    /// Forgets `key`: an attempt completed, nothing more to skip.
    public func forget(_ key: String) {
        if let entry = entries.removeValue(forKey: key) { held -= entry.reached.count }
    }

    private func expire() {
        let current = now()
        while orderStart < order.count, order[orderStart].until <= current { forgetOldest() }
    }

    private func forgetOldest() {
        let oldest = order[orderStart]
        if let entry = entries[oldest.key], entry.until == oldest.until { forget(oldest.key) }
        orderStart += 1
        if orderStart > 1024, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
