/// `dedupe`: within a request, each user and each connection is delivered to once; across
/// requests, a request whose idempotency key (`id`, else the source's message id) was
/// delivered within the window is dropped as a duplicate.
///
/// A key is claimed while its request is in flight and remembered only once the request is
/// acknowledged; a request that will be retried releases its key, so a redelivery is never
/// mistaken for a duplicate. A copy that arrives while the first is still in flight is not
/// dropped: it is reported for retry ("could not decide now"), since the first may yet fail.
/// Memory is bounded by `capacity` keys (oldest forgotten first).
public struct DedupeStage: FilterStage {
    public var name: String { "dedupe" }
    let window: DedupeWindow

    public init(window: Duration = .seconds(300), capacity: Int = 100_000, now: @escaping @Sendable () -> Duration = DedupeWindow.uptime) {
        self.window = DedupeWindow(length: window, capacity: capacity, now: now)
    }

    public func process(_ delivery: Delivery) async throws -> StageDecision {
        var delivery = delivery
        if case .users(let users) = delivery.audience.target {
            var seen = Set<String>()
            delivery.audience.target = .users(users.filter { seen.insert($0).inserted })
        }
        delivery.audience.uniqueConnections = true
        guard let key = delivery.idempotencyKey else { return .pass(delivery) }
        switch await window.claim(key) {
        case .claimed:
            return .pass(delivery)
        case .inFlight:
            throw BeingDelivered(key: key)
        case .delivered:
            return .drop(StageDrop(
                code: "duplicate",
                message: "request '\(key)' was already delivered (dedupe window \(ConfigDuration.format(window.length)))", isInvalid: false))
        }
    }

    /// A copy of a request whose first attempt is still running: decided later, by a retry.
    struct BeingDelivered: Error, CustomStringConvertible {
        let key: String
        var description: String { "request '\(key)' is being delivered by another attempt; this copy comes back to be decided when that one ends" }
    }

    public func complete(_ delivery: Delivery, acknowledged: Bool) async {
        guard let key = delivery.idempotencyKey else { return }
        await window.settle(key, acknowledged: acknowledged)
    }
}

extension DedupeStage {
    /// `dedupe: { window: 5m, capacity: 100000 }`, both optional.
    public struct Configuration: StageConfiguration {
        public let window: Duration
        public let capacity: Int

        public init(options: inout ConfigMapping) throws(ConfigError) {
            window = try options.optional("window")?.duration() ?? .seconds(300)
            capacity = try options.optional("capacity")?.int(in: 1...10_000_000) ?? 100_000
        }

        public var settings: [ConfigSetting] {
            [ConfigSetting("window", duration: window), ConfigSetting("capacity", "\(capacity)")]
        }

        public func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage {
            DedupeStage(window: window, capacity: capacity)
        }
    }
}
