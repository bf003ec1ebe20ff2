import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// The Lambda Runtime API (`http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/…`), the
/// contract between a custom runtime and Lambda.
///
/// Guarantees: `next()` waits as long as Lambda takes (no client timeout; the environment may
/// be frozen between invocations); every answer is posted once; a non-2xx from the API is an
/// error naming the call and status.
public struct LambdaRuntimeClient: LambdaRuntimeAPI {
    let base: String
    let httpClient: HTTPClient

    /// `host` is `AWS_LAMBDA_RUNTIME_API` (`host:port`).
    public init(host: String, httpClient: HTTPClient) {
        self.base = "http://\(host)/2018-06-01/runtime"
        self.httpClient = httpClient
    }

    /// The largest event read: Lambda hands a function at most 6 MB (asynchronous events
    /// 1 MB); a little more is read so that no event Lambda allows is refused.
    public static let maxEventBytes = 7 * 1024 * 1024

    /// Waits for the next event. An event larger than ``maxEventBytes`` is not read: it is
    /// answered at once with an `EventTooLarge` error (so it never waits for its timeout), and
    /// the next event is taken.
    public func next() async throws -> LambdaInvocation {
        while true {
            let response = try await httpClient.execute(HTTPClientRequest(url: base + "/invocation/next"), timeout: .hours(24 * 365))
            guard response.status == .ok, let requestID = response.headers.first(name: "Lambda-Runtime-Aws-Request-Id") else {
                let code: LambdaRuntimeError.Code = response.status == .ok ? .missingRequestID : .unexpectedStatus
                throw LambdaRuntimeError(code, "invocation/next answered HTTP \(response.status.code) without a request id")
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.maxEventBytes)
            } catch is NIOTooManyBytesError {
                try await answer(
                    .error(LambdaFunctionError(
                        type: "EventTooLarge", message: "the event is larger than \(Self.maxEventBytes) bytes, more than Lambda hands a function; it was not read")),
                    for: requestID)
                continue
            }
            let deadlineMilliseconds = response.headers.first(name: "Lambda-Runtime-Deadline-Ms").flatMap { Int64($0) }
            return LambdaInvocation(
                requestID: requestID,
                deadline: deadlineMilliseconds.map { LambdaInvocation.deadline(epochMilliseconds: $0) } ?? .now + .seconds(900),
                traceID: response.headers.first(name: "Lambda-Runtime-Trace-Id"),
                functionARN: response.headers.first(name: "Lambda-Runtime-Invoked-Function-Arn"),
                event: Array(body.readableBytesView))
        }
    }

    public func answer(_ result: LambdaResult, for requestID: String) async throws {
        switch result {
        case .response(let body):
            try await post("/invocation/\(requestID)/response", body: body, errorType: nil)
        case .error(let error):
            try await post("/invocation/\(requestID)/error", body: error.json, errorType: error.type)
        }
    }

    public func initializationFailed(_ error: LambdaFunctionError) async throws {
        try await post("/init/error", body: error.json, errorType: error.type)
    }

    private func post(_ path: String, body: [UInt8], errorType: String?) async throws {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        if let errorType { request.headers.add(name: "Lambda-Runtime-Function-Error-Type", value: errorType) }
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw LambdaRuntimeError(.unexpectedStatus, "\(path) answered HTTP \(response.status.code)")
        }
    }
}
