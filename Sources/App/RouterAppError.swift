/// A mode or command cannot go on. Callers (the command line, tests, programs embedding the
/// router) branch on ``code``; the message says why and what to fix.
public struct RouterAppError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across versions (new codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidEnvironment, noConnectionStore, unknownSource, invalidRequest, network
        }

        private let value: Value

        /// An environment variable the mode reads has a value it cannot use, or is missing.
        public static let invalidEnvironment = Code(value: .invalidEnvironment)
        /// The route table has no connection store for a gateway or `$connect` to write to.
        public static let noConnectionStore = Code(value: .noConnectionStore)
        /// A source the command names is not in the route table.
        public static let unknownSource = Code(value: .unknownSource)
        /// A notification request to publish does not parse.
        public static let invalidRequest = Code(value: .invalidRequest)
        /// A socket could not be opened or bound.
        public static let network = Code(value: .network)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
