/// Why a notification request was rejected. The request is permanently invalid: retrying it
/// cannot succeed, so sources log it with its message id and send it to the dead-letter
/// queue or drop it as the route says, and the rest of its batch goes on.
public struct InvalidRequest: Error, Sendable, Hashable, CustomStringConvertible {
    /// A sentence for the person on call, naming the field and where it is,
    /// e.g. `users must be an array of strings, got string at $.users`.
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
