import AWSCore
import Metrics
import NIOCore
import NIOSSL
import RouterCore

/// The `apigw` sink: posts each payload to `{endpoint}/@connections/{id}` through the API
/// Gateway Management API, each post one signed attempt through ``AWSCore/AWSClient`` (the
/// process's credential chain) over the sink's own ``AWSCore/KeepAliveTransport`` (a lean
/// keep-alive pool for the endpoint, `max_in_flight` connections wide: the hot path), with
/// the fan-out engine's bounded, adaptive concurrency and its retries.
///
/// Guarantees: the payload buffer and its hash are made once per request and shared by every
/// post; the connection id is percent-encoded into one path segment; each post has its own
/// timeout (`timeout`, never past the deadline); answers are classified as DESIGN §3 says
/// (``APIGatewayAnswer``).
public struct APIGatewaySink: Sink {
    public let configuration: APIGatewaySinkConfiguration
    let aws: AWSClient
    let signer: SigV4Signer
    let fanOut: FanOut
    let endpoint: EndpointURL
    /// Posts waiting for an answer (`notification_router_posts_in_flight`).
    let inFlight: Meter

    /// `region` is used when the configuration has none and the endpoint is not an
    /// execute-api host; `retry` paces the fan-out's retries of one connection. `aws` gives
    /// the credentials; posts go over a transport of the sink's own. Throws when `ca_file`
    /// cannot be read.
    public init(
        configuration: APIGatewaySinkConfiguration, aws: AWSClient, region: String, retry: RetryPolicy = .posts,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) throws {
        self.configuration = configuration
        let management = configuration.endpoint
        var tls: TLSConfiguration?
        if let caFile = configuration.caFile {
            tls = .makeClientConfiguration()
            // Read here, so that a file that cannot be read fails the sink's build, not its posts.
            do {
                tls?.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw PluginBuildError(.component, "ca_file \(caFile) cannot be read as PEM certificates (\(error))")
            }
        }
        self.endpoint = EndpointURL(scheme: management.scheme, host: management.host, port: management.port, basePath: management.basePath)
        self.aws = aws.keepingAlive(to: endpoint, maxConnections: configuration.maxInFlight, tls: tls)
        self.signer = SigV4Signer(service: "execute-api", region: configuration.region ?? region)
        self.fanOut = FanOut(
            maxInFlight: configuration.maxInFlight, budget: configuration.budget.map { PostingBudget(rate: $0.rate, burst: $0.burst) }
        ) { attempt in retry.delay(after: attempt) }
        self.inFlight = Meter(label: "notification_router_posts_in_flight", factory: metrics)
    }

    public func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let body = ByteBuffer(bytes: payload.bytes)
        let payloadHash = SigV4Signer.payloadHash(payload.bytes)
        return await fanOut.run(connections, deadline: deadline) { connection, finished in
            inFlight.increment()
            start("POST", body, payloadHash: payloadHash, to: connection.connectionID, deadline: deadline) { outcome in
                inFlight.decrement()
                finished(outcome)
            }
        }
    }

    /// Ready when the management API answers a `GET` of a connection id nobody has with 410
    /// (or 2xx): reachable, and the credentials may manage connections.
    public func checkReady(deadline: ContinuousClock.Instant) async throws {
        let answer = await withCheckedContinuation { answered in
            start("GET", nil, payloadHash: SigV4Signer.payloadHash([]), to: "readiness-probe", deadline: deadline) { answered.resume(returning: $0) }
        }
        switch answer {
        case .delivered, .gone: return
        case .forbidden(let reason), .rejected(let reason):
            throw SinkNotReady(.refused, "\(configuration.endpoint.display): \(reason)")
        case .transient(let reason):
            throw SinkNotReady(.unreachable, "\(configuration.endpoint.display): \(reason)")
        case .throttled: throw SinkNotReady(.throttled, "\(configuration.endpoint.display): throttled (429)")
        }
    }

    /// One attempt at one connection; `finished` is called once with its outcome.
    private func start(
        _ method: String, _ body: ByteBuffer?, payloadHash: String, to connectionID: String, deadline: ContinuousClock.Instant,
        finished: @escaping @Sendable (PostOutcome) -> Void
    ) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return finished(.transient("deadline passed")) }
        let request = AWSRequest(method: method, path: "/@connections/" + URIEncoding.encode(connectionID), body: body, payloadHash: payloadHash)
        aws.startAttempt(request, at: endpoint, signer: signer, timeout: min(configuration.timeout, remaining), responseLimit: 64 * 1024) { result in
            switch result {
            case .success(let answer): finished(APIGatewayAnswer.classify(status: answer.status, body: answer.body))
            case .failure(let error): finished(.transient(error.code == "NetworkError" ? error.message : "\(error)"))
            }
        }
    }
}
