/// A mode or command cannot go on; the message says why and what to fix.
public typealias RouterAppError = CodedError<RouterAppFailure>

/// The domain of ``RouterAppError``.
public enum RouterAppFailure {}

extension ErrorCode where Domain == RouterAppFailure {
    /// An environment variable the mode reads has a value it cannot use, or is missing.
    public static var invalidEnvironment: Self { Self("invalidEnvironment") }
    /// The route table has no connection store for a gateway or `$connect` to write to.
    public static var noConnectionStore: Self { Self("noConnectionStore") }
    /// A source the command names is not in the route table.
    public static var unknownSource: Self { Self("unknownSource") }
    /// A notification request to publish does not parse.
    public static var invalidRequest: Self { Self("invalidRequest") }
    /// A socket could not be opened or bound.
    public static var network: Self { Self("network") }
}
