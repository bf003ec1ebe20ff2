/// The Lambda Runtime API as the runtime loop uses it: ``LambdaRuntimeClient`` over HTTP in
/// Lambda, an in-memory twin in tests.
///
/// Every implementation guarantees: ``next()`` waits as long as it takes for an event (the
/// environment may be frozen between invocations) and throws when its task is cancelled;
/// ``answer(_:for:)`` posts one result once, and throws ``LambdaRuntimeError`` when the API
/// refuses it; ``initializationFailed(_:)`` reports a function that cannot start.
public protocol LambdaRuntimeAPI: Sendable {
    /// Waits for the next event.
    func next() async throws -> LambdaInvocation

    /// Posts the handler's result for `requestID`.
    func answer(_ result: LambdaResult, for requestID: String) async throws

    /// Reports that the function cannot start (a broken routes.yaml, a missing variable);
    /// Lambda then fails the invocation with this message and restarts the environment.
    func initializationFailed(_ error: LambdaFunctionError) async throws
}

/// The Runtime API refused or failed a call. Callers branch on ``code``; the message names
/// the call.
public struct LambdaRuntimeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across versions (new codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case unexpectedStatus, missingRequestID
        }

        private let value: Value

        /// The API answered a status other than 2xx.
        public static let unexpectedStatus = Code(value: .unexpectedStatus)
        /// `invocation/next` answered without `Lambda-Runtime-Aws-Request-Id`.
        public static let missingRequestID = Code(value: .missingRequestID)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
