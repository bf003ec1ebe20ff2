/// Why a sink cannot post now (readiness); the message names the peer and its answer.
public typealias SinkNotReady = CodedError<SinkReadiness>

/// The domain of ``SinkNotReady``.
public enum SinkReadiness {}

extension ErrorCode where Domain == SinkReadiness {
    /// The peer did not answer, or answered with a transient failure.
    public static var unreachable: Self { Self("unreachable") }
    /// The peer refused the sink's credentials or endpoint (a setup problem).
    public static var refused: Self { Self("refused") }
    /// The peer is throttling the sink.
    public static var throttled: Self { Self("throttled") }
}
