/// Where payloads go: the API Gateway Management API in production, a recording fake in
/// tests.
///
/// Every implementation guarantees:
/// - it reads `connections` exactly once (``ConnectionBatches/forEach(_:)``), even when it
///   posts nothing: the requests of a batch share one read of the store, which starts when
///   every one of them reads;
/// - each connection handed over by `connections` ends in exactly one of the report's classes
///   (delivered, gone, rejected, failed, skipped), so nothing is lost silently;
/// - no new post starts after `deadline`, and reading stops then; connections read but not
///   attempted are `skipped`, and ``SinkReport/unreadAtDeadline`` says that more were not read;
/// - a connection that answered "gone" is listed in ``SinkReport/gone`` so the pipeline can
///   prune it through the store; the sink itself never touches the store;
/// - a delivered connection is listed in ``SinkReport/reached``, so that a redelivery of the
///   request skips it; a failed or skipped one in ``SinkReport/unfinished``, so that a split
///   task can hand exactly those on;
/// - the payload's bytes are sent unchanged;
/// - if reading `connections` fails, the error is returned in ``SinkReport/readError``.
public protocol Sink: Sendable {
    func deliver(
        _ payload: Payload,
        to connections: ConnectionBatches,
        deadline: ContinuousClock.Instant
    ) async -> SinkReport

    /// Returns when the sink can post now (readiness); throws ``SinkNotReady`` saying why not.
    func checkReady(deadline: ContinuousClock.Instant) async throws
}

extension Sink {
    /// A sink with no peer to reach is always ready.
    public func checkReady(deadline: ContinuousClock.Instant) async throws {}
}

/// What happened to the connections of one request at one sink.
public struct SinkReport: Sendable, Hashable {
    /// Posts answered 2xx.
    public var delivered = 0
    /// The ``Connection/deliveryKey`` of each delivered connection.
    public var reached: [UInt64] = []
    /// Connections that answered gone (410); to be pruned.
    public var gone: [Connection] = []
    /// Posts answered 429 at least once (retried; counted once per connection).
    public var throttled = 0
    /// Posts refused as forbidden (403): a configuration problem, the request is retried.
    public var forbidden = 0
    /// Posts that failed permanently for that connection only (e.g. 400): not retried.
    public var rejected = 0
    /// Posts still failing transiently when retries or time ran out: the request is retried.
    public var failed = 0
    /// Connections read but never attempted because the deadline passed: the request is retried.
    public var skipped = 0
    /// The connections counted in ``failed`` and ``skipped``.
    public var unfinished: [Connection] = []
    /// Reading stopped at the deadline, so an unknown number of connections were never read:
    /// the request is retried.
    public var unreadAtDeadline = false
    /// Why reading the connections failed, when it did: the request is retried.
    public var readError: String?

    public init() {}

    /// Whether every connection ended delivered, gone or permanently rejected.
    public var isComplete: Bool { forbidden == 0 && failed == 0 && skipped == 0 && !unreadAtDeadline && readError == nil }
}
