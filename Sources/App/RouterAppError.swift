/// A mode or command cannot go on. Callers (the command line, tests, programs embedding the
/// router) branch on ``code``; the message says why and what to fix.
public struct RouterAppError: Error, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<RouterAppError>

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode where Owner == RouterAppError {
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
