/// Why a sink cannot post now (readiness). Callers branch on ``code``; the message names the
/// peer and its answer.
public struct SinkNotReady: Error, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<SinkNotReady>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode where Owner == SinkNotReady {
    /// The peer did not answer, or answered with a transient failure.
    public static var unreachable: Self { Self("unreachable") }
    /// The peer refused the sink's credentials or endpoint (a setup problem).
    public static var refused: Self { Self("refused") }
    /// The peer is throttling the sink.
    public static var throttled: Self { Self("throttled") }
}
