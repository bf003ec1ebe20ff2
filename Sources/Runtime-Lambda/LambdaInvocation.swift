import FoundationEssentials

/// One event handed out by the Lambda Runtime API (`GET /runtime/invocation/next`).
public struct LambdaInvocation: Sendable {
    /// `Lambda-Runtime-Aws-Request-Id`.
    public let requestID: String
    /// `Lambda-Runtime-Deadline-Ms` as an instant of the continuous clock.
    public let deadline: ContinuousClock.Instant
    /// `Lambda-Runtime-Trace-Id`, when X-Ray tracing is on.
    public let traceID: String?
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public let functionARN: String?
    /// The event, as sent.
    public let event: [UInt8]

    public init(requestID: String, deadline: ContinuousClock.Instant, traceID: String?, functionARN: String?, event: [UInt8]) {
        self.requestID = requestID
        self.deadline = deadline
        self.traceID = traceID
        self.functionARN = functionARN
        self.event = event
    }

    /// Converts the Runtime API's deadline (milliseconds since the Unix epoch) to the
    /// continuous clock, which timeouts and the fan-out use.
    static func deadline(epochMilliseconds: Int64, now: Date = Date(), clock: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        let remaining = Double(epochMilliseconds) / 1000 - now.timeIntervalSince1970
        return clock + .milliseconds(Int64(remaining * 1000))
    }
}

/// What a handler answers for one invocation.
public enum LambdaResult: Sendable {
    /// `POST /runtime/invocation/{id}/response` with this body.
    case response([UInt8])
    /// `POST /runtime/invocation/{id}/error`: the invocation failed (SNS and async invokes retry).
    case error(LambdaFunctionError)
}

/// A function error as the Runtime API takes it: `{"errorType":…,"errorMessage":…}`, also
/// sent as `Lambda-Runtime-Function-Error-Type`.
public struct LambdaFunctionError: Error, Sendable, Equatable {
    public let type: String
    public let message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array((try? encoder.encode(["errorType": type, "errorMessage": message])) ?? Data("{}".utf8))
    }
}
