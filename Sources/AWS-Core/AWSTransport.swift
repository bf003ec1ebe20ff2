import NIOCore
import NIOHTTP1

/// One HTTP exchange with an AWS endpoint: the seam under ``AWSClient``. The process uses
/// ``HTTPClientTransport`` (AsyncHTTPClient, one keep-alive pool); tests use a fake.
///
/// Every implementation guarantees: it sends the request once, as given (no signing, no
/// retries, no redirects); any HTTP status is returned, not thrown; it throws only when no
/// answer came (connection refused or reset, the timeout passed) or the answer's body is
/// longer than `responseLimit`.
public protocol AWSTransport: Sendable {
    func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse

    /// ``send(_:timeout:responseLimit:)`` for callers that take the answer in a completion,
    /// called once, on the transport's thread. By default a task that awaits `send`;
    /// ``KeepAliveTransport`` runs it on its event loops without one.
    func start(
        _ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int,
        completion: @escaping @Sendable (Result<AWSHTTPResponse, any Error>) -> Void)
}

extension AWSTransport {
    public func start(
        _ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int,
        completion: @escaping @Sendable (Result<AWSHTTPResponse, any Error>) -> Void
    ) {
        Task {
            do {
                completion(.success(try await send(request, timeout: timeout, responseLimit: responseLimit)))
            } catch {
                completion(.failure(error))
            }
        }
    }
}

/// A request as it goes on the wire.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    /// The whole URL, path and query percent-encoded.
    public var url: String
    public var headers: [(name: String, value: String)]
    /// Shared, not copied, by requests that post the same payload.
    public var body: ByteBuffer?

    public init(method: String, url: String, headers: [(name: String, value: String)], body: ByteBuffer?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An answer: status, headers and body. The headers are kept as the transport got them: a
/// post's answer is read for its status, and its headers only when it is an error.
public struct AWSHTTPResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first(name: name)
    }
}
