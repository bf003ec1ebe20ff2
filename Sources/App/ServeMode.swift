import FoundationEssentials
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import RouterCore
import ServiceLifecycle
import UnixSignals

/// `notification-router serve`: the daemon (DESIGN §4). One `ServiceGroup` holds the service
/// face of every source of the route table (an SQS consumer per `sqs` source; each receive
/// goes through ``RouterCore/BatchDelivery``), an HTTP server, and the shared HTTP client,
/// closed last. The server answers `POST` at the HTTP face of every source that has one
/// (`/sns/<source>` for each `sns` source), `GET /healthz` (alive), `GET /readyz` (200 when
/// every connection store and sink answers a probe, else 503 naming them) and `GET /metrics`
/// (Prometheus text: per-route counters and fan-out durations, posts in flight, per queue
/// messages received, acknowledged, returned and failed polls, per SNS source messages
/// received, rejected and duplicate).
///
/// The server holds at most ``ConnectionBudget`` client connections (new ones wait in the
/// listen backlog), closes a connection idle for 30 s, and answers `/readyz` from a probe at
/// most 5 s old, so that slow, idle or eager clients can neither exhaust the process's
/// descriptors nor make it hammer DynamoDB and API Gateway.
///
/// A receiver that ends by itself (a source whose input is exhausted) shuts the daemon down
/// gracefully. SIGTERM shuts down gracefully: receiving stops, batches in hand finish (for at most the
/// grace period, then they are cancelled and left for redelivery), acknowledged messages are
/// deleted, and the process exits 0. SIGINT cancels at once; nothing unacknowledged is deleted
/// either way.
public enum ServeMode {
    /// - Parameters:
    ///   - flags: the command's flags; what they leave unset comes from the table's `serve:`
    ///     section, then the defaults (`0.0.0.0:8080`, 30 s grace);
    ///   - onListening: called with the address (`host:port`) once the server listens.
    public static func run(
        routes: RoutesFile, environment: [String: String], environmentName: String?, flags: ServeSettings, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        try await run(
            table: try routes.load(environment: environment, environmentName: environmentName), environment: environment, flags: flags,
            logger: logger, onListening: onListening)
    }

    /// Runs the daemon for a loaded table (one loaded with a registry of your own plugins).
    public static func run(
        table: RouteTable, environment: [String: String], flags: ServeSettings, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        logger.info("\(table.summary)")
        let registry = PrometheusCollectorRegistry()
        let resources = ProcessResources(table: table, environment: environment)
        let routeSet = try await resources.routeSet(table, metrics: PrometheusMetricsFactory(registry: registry))
        let settings = ServeSettings(
            host: flags.host ?? table.serve.host ?? "0.0.0.0", port: flags.port ?? table.serve.port ?? 8080,
            shutdownGrace: flags.shutdownGrace ?? table.serve.shutdownGrace ?? .seconds(30))
        let group = serviceGroup(
            routes: routeSet, settings: settings, metrics: registry, signals: true, logger: logger, onListening: onListening,
            shutdown: resources.shutdown)
        try await group.run()
    }

    /// The daemon for `routes` (built by the caller with `metrics`' factory), ready to run:
    /// the whole of `serve` but loading the table, so it runs in-process in tests.
    /// - Parameters:
    ///   - settings: where to listen and the grace period (each must be set);
    ///   - signals: SIGTERM shuts down gracefully and SIGINT cancels (the binary), or only
    ///     the caller does (tests);
    ///   - shutdown: runs after everything else has stopped (closing the HTTP client).
    public static func serviceGroup(
        routes: RouteSet, settings: ServeSettings, metrics: PrometheusCollectorRegistry, signals: Bool, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void, shutdown: @escaping @Sendable () async throws -> Void
    ) -> ServiceGroup {
        let delivery = BatchDelivery(routes: routes)
        let receivers = routes.sources.compactMap { $0.service(delivering: delivery, logger: logger) }
        let endpoints = routes.sources.compactMap { $0.httpEndpoint(delivering: delivery, logger: logger) }
        if receivers.isEmpty && endpoints.isEmpty { logger.warning("the route table has no source the daemon can receive from: nothing will arrive") }
        let host = settings.host ?? "0.0.0.0"
        let port = settings.port ?? 8080
        let clientConnections = ConnectionBudget.clientConnections(outboundInFlight: ProcessResources.widestInFlight(routes.table))
        let server = Application(
            router: router(routes: routes, endpoints: endpoints, receivers: receivers.count, metrics: metrics, logger: logger),
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "notification-router",
                availableConnectionsDelegate: .maximum(clientConnections, logger: logger)),
            onServerRunning: { channel in
                logger.info("accepting at most \(clientConnections) client connections at once")
                onListening("\(host):\(channel.localAddress?.port ?? port)")
            }, logger: logger)

        // Services shut down in reverse order: the receivers stop and finish first, then the
        // HTTP server, then the shared HTTP client.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: ShutdownOnSignal(shutdown)), .init(service: server)]
            + receivers.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) }
        var configuration = signals
            ? ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm], cancellationSignals: [.sigint], logger: logger)
            : ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownGrace ?? .seconds(30)
        return ServiceGroup(configuration: configuration)
    }

    private static func router(
        routes: RouteSet, endpoints: [any SourceHTTPEndpoint], receivers: Int, metrics: PrometheusCollectorRegistry, logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router()
        let readiness = CachedReadiness(routes: routes)
        router.get("/healthz") { _, _ in "alive\n" }
        router.get("/readyz") { _, _ in
            let problems = await readiness.problems()
            guard problems.isEmpty else {
                logger.warning("not_ready: \(problems.joined(separator: "; "))")
                return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "not ready:\n" + problems.joined(separator: "\n") + "\n")))
            }
            let counts = "\(routes.pipelines.count) routes, \(receivers) receiving sources, \(endpoints.count) HTTP sources"
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready: \(counts); stores and sinks reachable\n")))
        }
        for endpoint in endpoints {
            router.post(RouterPath(endpoint.path)) { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                let headers = request.headers
                let answer = await endpoint.handle(header: { name in HTTPField.Name(name).flatMap { headers[$0] } }, body: Array(body.readableBytesView))
                return Response(
                    status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        return router
    }
}
