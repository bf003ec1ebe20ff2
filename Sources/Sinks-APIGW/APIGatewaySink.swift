import AWSCore
import AsyncHTTPClient
import Foundation
import Metrics
import NIOCore
import NIOHTTP1
import RouterCore

/// The `apigw` sink: posts each payload to `{endpoint}/@connections/{id}` through the API
/// Gateway Management API, signed with SigV4 for `execute-api`, with the fan-out engine's
/// bounded, adaptive concurrency over the process's one HTTP client.
///
/// Guarantees: the payload buffer and its hash are made once per request and shared by every
/// post; the connection id is percent-encoded into one path segment; each post has its own
/// timeout (`timeout`, never past the deadline); answers are classified as DESIGN §3 says
/// (``APIGatewayAnswer``).
public struct APIGatewaySink: Sink {
    public let configuration: APIGatewaySinkConfiguration
    let httpClient: HTTPClient
    let credentials: any AWSCredentialProvider
    let signer: SigV4Signer
    let fanOut: FanOut
    /// The `Host` header, with the port when it is not the scheme's default.
    let host: String
    /// `{basePath}/@connections/`, to which each post appends its encoded id.
    let connectionsPath: String
    /// Posts waiting for an answer (`notification_router_posts_in_flight`).
    let inFlight: Meter

    /// `region` is used when the configuration has none and the endpoint is not an
    /// execute-api host.
    public init(
        configuration: APIGatewaySinkConfiguration, httpClient: HTTPClient, credentials: any AWSCredentialProvider, region: String,
        backoff: FanOut.Backoff = FanOut.Backoff(), metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.inFlight = Meter(label: "notification_router_posts_in_flight", factory: metrics)
        self.configuration = configuration
        self.httpClient = httpClient
        self.credentials = credentials
        self.signer = SigV4Signer(service: "execute-api", region: configuration.region ?? region)
        self.fanOut = FanOut(maxInFlight: configuration.maxInFlight, backoff: backoff)
        let endpoint = configuration.endpoint
        let isDefaultPort = endpoint.port == nil || (endpoint.scheme == "https" && endpoint.port == 443) || (endpoint.scheme == "http" && endpoint.port == 80)
        self.host = isDefaultPort ? endpoint.host : "\(endpoint.host):\(endpoint.port!)"
        self.connectionsPath = endpoint.basePath + "/@connections/"
    }

    public func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let body = ByteBuffer(bytes: payload.bytes)
        let payloadHash = SigV4Signer.payloadHash(payload.bytes)
        return await fanOut.run(connections, deadline: deadline) { connection in
            inFlight.increment()
            defer { inFlight.decrement() }
            return await post(body, payloadHash: payloadHash, to: connection.connectionID, deadline: deadline)
        }
    }

    /// One attempt at one connection.
    func post(_ body: ByteBuffer, payloadHash: String, to connectionID: String, deadline: ContinuousClock.Instant) async -> PostOutcome {
        await send(.POST, body, payloadHash: payloadHash, to: connectionID, deadline: deadline)
    }

    /// Ready when the management API answers a `GET` of a connection id nobody has with 410
    /// (or 2xx): reachable, and the credentials may manage connections.
    public func checkReady(deadline: ContinuousClock.Instant) async throws {
        let answer = await send(.GET, nil, payloadHash: SigV4Signer.payloadHash([]), to: "readiness-probe", deadline: deadline)
        switch answer {
        case .delivered, .gone: return
        case .forbidden(let reason), .rejected(let reason), .transient(let reason):
            throw SinkNotReady(message: "\(configuration.endpoint.display): \(reason)")
        case .throttled: throw SinkNotReady(message: "\(configuration.endpoint.display): throttled (429)")
        }
    }

    private func send(
        _ method: HTTPMethod, _ body: ByteBuffer?, payloadHash: String, to connectionID: String, deadline: ContinuousClock.Instant
    ) async -> PostOutcome {
        let path = connectionsPath + URIEncoding.encode(connectionID)
        let keys: AWSCredentials
        do {
            keys = try await credentials.credentials()
        } catch {
            return .transient("no credentials: \(error)")
        }
        var request = HTTPClientRequest(url: "\(configuration.endpoint.scheme)://\(host)\(path)")
        request.method = method
        request.headers.add(name: "Host", value: host)
        let toSign = SigV4Signer.Request(method: method.rawValue, path: path, headers: [(name: "Host", value: host)], payloadHash: payloadHash)
        for header in signer.signatureHeaders(for: toSign, credentials: keys, date: Date()) {
            request.headers.add(name: header.name, value: header.value)
        }
        if let body { request.body = .bytes(body) }
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return .transient("deadline passed") }
        let timeout = min(configuration.timeout, remaining)
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            let answer = try await response.body.collect(upTo: 64 * 1024)
            return APIGatewayAnswer.classify(status: Int(response.status.code), body: answer)
        } catch {
            return .transient("\(error)")
        }
    }
}
