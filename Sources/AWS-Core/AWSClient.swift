import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOSSL

/// Calls AWS APIs over one ``AWSTransport``: every attempt signed afresh with SigV4 (the one
/// place requests are signed), retried with jittered backoff while the error is retryable,
/// the attempts last and the deadline allows.
///
/// Guarantees: one `AWSError` for every failure (service errors from `__type` and `message`,
/// network errors as `NetworkError`, an exhausted deadline as `DeadlineExceeded`); neither
/// credentials nor bodies appear in errors.
public struct AWSClient: Sendable {
    public let transport: any AWSTransport
    public let credentials: any AWSCredentialProvider
    public let endpoints: AWSEndpoints
    public let retry: RetryPolicy
    private let signers = SignerCache()
    private let lastKeys = CredentialsSnapshot()

    public init(transport: any AWSTransport, credentials: any AWSCredentialProvider, endpoints: AWSEndpoints, retry: RetryPolicy = .default) {
        self.transport = transport
        self.credentials = credentials
        self.endpoints = endpoints
        self.retry = retry
    }

    /// A client over the process's HTTP client.
    public init(httpClient: HTTPClient, credentials: any AWSCredentialProvider, endpoints: AWSEndpoints, retry: RetryPolicy = .default) {
        self.init(transport: HTTPClientTransport(httpClient), credentials: credentials, endpoints: endpoints, retry: retry)
    }

    /// This client's credentials, endpoints and retries over a ``KeepAliveTransport`` of its
    /// own to `endpoint`'s origin, for the hot paths (the sink's posts, the store's reads),
    /// where AsyncHTTPClient's per-request machinery costs more than the exchange itself.
    public func keepingAlive(to endpoint: EndpointURL, maxConnections: Int, tls: TLSConfiguration? = nil) -> AWSClient {
        let transport = KeepAliveTransport(
            scheme: endpoint.scheme, host: endpoint.hostName, port: endpoint.port, maxConnections: maxConnections, tls: tls)
        return AWSClient(transport: transport, credentials: credentials, endpoints: endpoints, retry: retry)
    }

    /// `service`'s endpoint in `region` (``AWSEndpoints``); nil when an `AWS_ENDPOINT_URL`
    /// setting is not a URL.
    public func endpoint(of service: AWSService, region: String) -> EndpointURL? {
        EndpointURL(endpoints.url(service: service.sdkID, hostPrefix: service.hostPrefix, region: region))
    }

    /// An AWS JSON 1.0 call (DynamoDB, SQS): `POST /` with `X-Amz-Target: <target>`.
    public func json(
        _ service: AWSService, target: String, body: [UInt8], region: String, deadline: ContinuousClock.Instant
    ) async throws(AWSError) -> [UInt8] {
        let base = endpoints.url(service: service.sdkID, hostPrefix: service.hostPrefix, region: region)
        return try await send(
            method: "POST", url: base, path: "/", service: service.signingName, region: region,
            headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", target)],
            body: body, deadline: deadline)
    }

    /// One signed request, retried as the policy allows; the body of its 2xx answer. `path`
    /// is percent-encoded as sent; `query` holds decoded names and values.
    public func send(
        method: String, url base: String, path: String, query: [(String, String)] = [], service: String, region: String,
        headers: [(String, String)], body: [UInt8], deadline: ContinuousClock.Instant
    ) async throws(AWSError) -> [UInt8] {
        guard let endpoint = EndpointURL(base) else { throw AWSError(code: "InvalidEndpoint", message: "'\(base)' is not a URL") }
        let request = AWSRequest(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: headers.map { (name: $0.0, value: $0.1) },
            body: ByteBuffer(bytes: body), payloadHash: SigV4Signer.payloadHash(body))
        let signer = signers.signer(service: service, region: region)
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do throws(AWSError) {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw AWSError(code: "DeadlineExceeded", message: "no time left for the call") }
                let response = try await self.attempt(request, at: endpoint, signer: signer, timeout: remaining, responseLimit: 16 * 1024 * 1024)
                guard (200..<300).contains(response.status) else {
                    throw AWSErrorDecoding.decode(status: response.status, header: response.header, body: Array(response.body.readableBytesView))
                }
                return Array(response.body.readableBytesView)
            } catch {
                guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
                let wait = retry.delay(after: attempt, using: &random)
                guard ContinuousClock.now + wait < deadline else {
                    throw AWSError(code: "DeadlineExceeded", message: "gave up after \(attempt) attempts: \(error)", statusCode: error.statusCode, requestID: error.requestID)
                }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw AWSError(code: "Cancelled", message: "cancelled while waiting to retry after \(attempt) attempts: \(error)")
                }
            }
        }
    }

    /// One signed attempt, not retried; the answer whatever its status. For callers that
    /// classify answers and retry themselves. Throws `CredentialsNotFound` or `NetworkError`
    /// when no answer came.
    public func attempt(
        _ request: AWSRequest, at endpoint: EndpointURL, signer: SigV4Signer, timeout: Duration, responseLimit: Int
    ) async throws(AWSError) -> AWSHTTPResponse {
        let now = Date()
        let wire = signed(request, at: endpoint, signer: signer, keys: try await keys(now: now), date: now)
        do {
            return try await transport.send(wire, timeout: timeout, responseLimit: responseLimit)
        } catch {
            throw AWSError(code: "NetworkError", message: "\(error)")
        }
    }

    /// ``attempt(_:at:signer:timeout:responseLimit:)`` for callers that start many attempts
    /// and take their answers as they come (the API Gateway sink's fan-out): `completion` is
    /// called once, on the transport's thread (for ``KeepAliveTransport``, the event loop of
    /// the connection that carried it). While the credentials signed with last are valid
    /// (``CredentialsSnapshot``), the attempt is signed and handed to the transport on the
    /// caller's thread, without a task.
    public func startAttempt(
        _ request: AWSRequest, at endpoint: EndpointURL, signer: SigV4Signer, timeout: Duration, responseLimit: Int,
        completion: @escaping @Sendable (Result<AWSHTTPResponse, AWSError>) -> Void
    ) {
        let now = Date()
        if let keys = lastKeys.current(now: now) {
            return start(signed(request, at: endpoint, signer: signer, keys: keys, date: now), timeout: timeout, responseLimit: responseLimit, completion: completion)
        }
        Task {
            do throws(AWSError) {
                let now = Date()
                let wire = signed(request, at: endpoint, signer: signer, keys: try await keys(now: now), date: now)
                start(wire, timeout: timeout, responseLimit: responseLimit, completion: completion)
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// Hands a signed request to the transport; a failure without an answer is a `NetworkError`.
    private func start(
        _ wire: AWSHTTPRequest, timeout: Duration, responseLimit: Int, completion: @escaping @Sendable (Result<AWSHTTPResponse, AWSError>) -> Void
    ) {
        transport.start(wire, timeout: timeout, responseLimit: responseLimit) {
            completion($0.mapError { AWSError(code: "NetworkError", message: "\($0)") })
        }
    }

    /// The credentials to sign with at `now`: the last ones while valid, else the provider's.
    private func keys(now: Date) async throws(AWSError) -> AWSCredentials {
        if let keys = lastKeys.current(now: now) { return keys }
        do {
            let fresh = try await credentials.credentials()
            lastKeys.keep(fresh)
            return fresh
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(code: "CredentialsNotFound", message: "\(error)")
        }
    }

    /// `request` below `endpoint` as it goes on the wire, signed with `keys` at `date`.
    private func signed(_ request: AWSRequest, at endpoint: EndpointURL, signer: SigV4Signer, keys: AWSCredentials, date: Date) -> AWSHTTPRequest {
        let path = endpoint.basePath + request.path
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 4)  // and X-Amz-Date, X-Amz-Security-Token, Authorization
        headers.append((name: "Host", value: endpoint.host))
        headers += request.headers
        let toSign = SigV4Signer.Request(method: request.method, path: path, query: request.query, headers: headers, payloadHash: request.payloadHash)
        headers += signer.signatureHeaders(for: toSign, credentials: keys, date: date)
        let query = request.query.isEmpty ? "" : "?" + request.query.map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }.joined(separator: "&")
        return AWSHTTPRequest(method: request.method, url: "\(endpoint.scheme)://\(endpoint.host)\(path)\(query)", headers: headers, body: request.body)
    }
}

/// A request to sign and send below an ``EndpointURL``.
public struct AWSRequest: Sendable {
    public var method: String
    /// Percent-encoded as sent, below the endpoint's base path.
    public var path: String
    /// Decoded names and values.
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: ByteBuffer?
    /// The body's SHA-256 in hex (``SigV4Signer/payloadHash(_:)``), computed once by callers
    /// that post the same body many times.
    public var payloadHash: String

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        body: ByteBuffer?, payloadHash: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.payloadHash = payloadHash
    }
}

/// An AWS service as the JSON and REST protocols address it.
public struct AWSService: Sendable, Hashable {
    /// The SDK id used in `AWS_ENDPOINT_URL_<ID>` (`DYNAMODB`, `SQS`, `SNS`, `APIGATEWAYMANAGEMENTAPI`).
    public let sdkID: String
    /// The first label of the regional host name.
    public let hostPrefix: String
    /// The SigV4 service name.
    public let signingName: String

    public static let dynamoDB = AWSService(sdkID: "DynamoDB", hostPrefix: "dynamodb", signingName: "dynamodb")
    public static let sqs = AWSService(sdkID: "SQS", hostPrefix: "sqs", signingName: "sqs")
    public static let sns = AWSService(sdkID: "SNS", hostPrefix: "sns", signingName: "sns")
}
