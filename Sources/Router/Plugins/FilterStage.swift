/// One step of a route (dedupe, exclude, rooms, max-payload, or a user's own stage).
///
/// Every implementation guarantees:
/// - ``process(_:)`` either returns the delivery (possibly changed) or drops it with a
///   ``StageDrop`` that names the reason; it never drops silently;
/// - a thrown error means "could not decide now" (e.g. a directory was unreachable): the
///   request is reported failed and retried, never dropped;
/// - it is safe to call concurrently for different deliveries.
public protocol FilterStage: Sendable {
    /// The stage's `type:` name in routes.yaml, used in logs and reports.
    var name: String { get }

    func process(_ delivery: Delivery) async throws -> StageDecision

    /// Called once the request's fate is known: `acknowledged` is false when it will be
    /// retried. Stages that remember requests (dedupe) commit or forget them here.
    func complete(_ delivery: Delivery, acknowledged: Bool) async
}

extension FilterStage {
    public func complete(_ delivery: Delivery, acknowledged: Bool) async {}
}

/// What a stage decided.
public enum StageDecision: Sendable {
    case pass(Delivery)
    case drop(StageDrop)
}

/// Why a stage dropped a request. An invalid request is never retried (it goes to the
/// dead-letter queue or is dropped, as the route says); a non-invalid drop, such as a
/// duplicate, is simply acknowledged.
public struct StageDrop: Sendable, Hashable {
    /// A short machine-readable reason, e.g. `duplicate`, `payload_too_large`.
    public var code: String
    /// A sentence for the person on call.
    public var message: String
    /// Whether the request itself is at fault.
    public var isInvalid: Bool

    public init(code: String, message: String, isInvalid: Bool) {
        self.code = code
        self.message = message
        self.isInvalid = isInvalid
    }

    public static func invalid(_ code: String, _ message: String) -> StageDrop {
        StageDrop(code: code, message: message, isInvalid: true)
    }
}
