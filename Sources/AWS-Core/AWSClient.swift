import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls AWS APIs over one shared `HTTPClient`: every attempt signed afresh with SigV4,
/// retried with jittered backoff while the error is retryable, the attempts last and the
/// deadline allows.
///
/// Guarantees: one `AWSError` for every failure (service errors from `__type` and `message`,
/// network errors as `NetworkError`, an exhausted deadline as `DeadlineExceeded`); neither
/// credentials nor bodies appear in errors.
public struct AWSClient: Sendable {
    public let httpClient: HTTPClient
    public let credentials: any AWSCredentialProvider
    public let endpoints: AWSEndpoints
    public let retry: RetryPolicy

    public init(httpClient: HTTPClient, credentials: any AWSCredentialProvider, endpoints: AWSEndpoints, retry: RetryPolicy = .default) {
        self.httpClient = httpClient
        self.credentials = credentials
        self.endpoints = endpoints
        self.retry = retry
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

    /// One signed request, retried as the policy allows. `path` is percent-encoded as sent;
    /// `query` holds decoded names and values.
    public func send(
        method: String, url base: String, path: String, query: [(String, String)] = [], service: String, region: String,
        headers: [(String, String)], body: [UInt8], deadline: ContinuousClock.Instant
    ) async throws(AWSError) -> [UInt8] {
        guard let components = URLComponents(string: base), let host = components.host else {
            throw AWSError(code: "InvalidEndpoint", message: "'\(base)' is not a URL")
        }
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        let fullPath = components.path.trimmingSuffix("/") + path
        let signer = SigV4Signer(service: service, region: region)
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await attemptOnce(
                    method: method, base: base, host: hostHeader, path: fullPath, query: query, signer: signer, headers: headers, body: body,
                    deadline: deadline)
            } catch {
                guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
                let wait = retry.delay(after: attempt, using: &random)
                guard ContinuousClock.now + wait < deadline else {
                    throw AWSError(code: "DeadlineExceeded", message: "gave up after \(attempt) attempts: \(error)", statusCode: error.statusCode, requestID: error.requestID)
                }
                try? await Task.sleep(for: wait)
            }
        }
    }

    private func attemptOnce(
        method: String, base: String, host: String, path: String, query: [(String, String)], signer: SigV4Signer,
        headers: [(String, String)], body: [UInt8], deadline: ContinuousClock.Instant
    ) async throws(AWSError) -> [UInt8] {
        let keys: AWSCredentials
        do { keys = try await credentials.credentials() } catch let error as AWSError { throw error } catch {
            throw AWSError(code: "CredentialsNotFound", message: "\(error)")
        }
        let toSign = SigV4Signer.Request(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) },
            headers: [(name: "Host", value: host)] + headers.map { (name: $0.0, value: $0.1) }, body: body)
        let queryString = query.map { URIEncoding.encode($0.0) + "=" + URIEncoding.encode($0.1) }.joined(separator: "&")
        var request = HTTPClientRequest(url: base.trimmingSuffix("/").replacingPath(with: path) + (query.isEmpty ? "" : "?" + queryString))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        for header in signer.signatureHeaders(for: toSign, credentials: keys, date: Date()) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw AWSError(code: "DeadlineExceeded", message: "no time left for the call") }
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(remaining))
            let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
            let bytes = Array(buffer.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                throw AWSErrorDecoding.decode(status: Int(response.status.code), headers: response.headers, body: bytes)
            }
            return bytes
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(code: "NetworkError", message: "\(error)")
        }
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

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }

    /// This URL (scheme, host, port) with `path` as its path.
    fileprivate func replacingPath(with path: String) -> String {
        guard var components = URLComponents(string: self) else { return self + path }
        components.percentEncodedPath = path
        return components.string ?? self + path
    }
}
