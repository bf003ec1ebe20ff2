/// An error answered by an AWS service, or the reason a call could not get an answer.
///
/// Guarantees: the message never contains credentials or request bodies.
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code: the service's `__type` (without its namespace), or a local code such
    /// as `NetworkError` or `DeadlineExceeded`.
    public let code: String
    public let message: String
    /// The HTTP status, when the service answered.
    public let statusCode: Int?
    /// `x-amzn-RequestId`, for AWS support.
    public let requestID: String?

    public init(code: String, message: String, statusCode: Int? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestID = requestID
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let statusCode { text += " (HTTP \(statusCode)" + (requestID.map { ", request id \($0))" } ?? ")") }
        return text
    }

    /// Whether retrying the same call later may succeed (throttling, 5xx, network).
    public var isRetryable: Bool {
        if Self.throttlingCodes.contains(code) || code == "NetworkError" { return true }
        guard let statusCode else { return false }
        return statusCode == 429 || statusCode >= 500
    }

    static let throttlingCodes: Set = [
        "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "ThrottledException",
        "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "LimitExceededException", "TransactionInProgressException", "SlowDown",
    ]
}
