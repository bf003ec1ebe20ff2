/// The memory of the `dedupe` stage and of the SNS endpoint: keys (idempotency keys, message
/// ids) in flight or delivered recently. Memory is bounded by `capacity` delivered keys.
public actor DedupeWindow {
    /// What ``claim(_:)`` found.
    public enum Claim: Sendable, Equatable {
        /// The key is now in flight: deliver, then ``settle(_:acknowledged:)``.
        case claimed
        /// Another delivery of the key is running.
        case inFlight
        /// The key was delivered within the window.
        case delivered
    }

    private enum State { case inFlight, delivered(until: Duration) }

    public nonisolated let length: Duration
    private let capacity: Int
    private let now: @Sendable () -> Duration
    private var states: [String: State] = [:]
    /// Delivered keys in the order they expire (the window is the same for all).
    private var expiryOrder: [(key: String, until: Duration)] = []
    private var expiryStart = 0

    /// Time since an arbitrary fixed origin, from the monotonic clock.
    public static let uptime: @Sendable () -> Duration = {
        let origin = ContinuousClock.now
        return { ContinuousClock.now - origin }
    }()

    public init(length: Duration, capacity: Int = 100_000, now: @escaping @Sendable () -> Duration = DedupeWindow.uptime) {
        self.length = length
        self.capacity = capacity
        self.now = now
    }

    /// Claims `key` for a delivery about to start, unless it is in flight or was delivered
    /// within the window.
    public func claim(_ key: String) -> Claim {
        expire()
        switch states[key] {
        case .inFlight: return .inFlight
        case .delivered: return .delivered
        case nil:
            states[key] = .inFlight
            return .claimed
        }
    }

    /// Remembers `key` for the window if its request was acknowledged, forgets it otherwise.
    public func settle(_ key: String, acknowledged: Bool) {
        guard case .inFlight = states[key] else { return }
        guard acknowledged else {
            states[key] = nil
            return
        }
        let until = now() + length
        states[key] = .delivered(until: until)
        expiryOrder.append((key, until))
        while expiryOrder.count - expiryStart > capacity { forgetOldest() }
    }

    private func expire() {
        let current = now()
        while expiryStart < expiryOrder.count, expiryOrder[expiryStart].until <= current { forgetOldest() }
    }

    private func forgetOldest() {
        let oldest = expiryOrder[expiryStart]
        if case .delivered(let until) = states[oldest.key], until == oldest.until { states[oldest.key] = nil }
        expiryStart += 1
        if expiryStart > 1024, expiryStart * 2 > expiryOrder.count {
            expiryOrder.removeFirst(expiryStart)
            expiryStart = 0
        }
    }
}
