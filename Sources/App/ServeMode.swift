import AWSCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus
import RouterCore
import SNSSource
import SQSSource
import ServiceLifecycle
import UnixSignals

/// `notification-router serve`: the daemon (DESIGN §4). One `ServiceGroup` holds an SQS
/// consumer per `sqs` source of the route table (``SQSConsumer``; each receive goes through
/// ``BatchDelivery``), an HTTP server, and the shared HTTP client, closed last. The server
/// answers `POST /sns/<source>` for each `sns` source (``SNSEndpoint``), `GET /healthz`
/// (alive), `GET /readyz` (200 when every connection store and sink answers a probe, else 503
/// naming them) and `GET /metrics` (Prometheus text: per-route counters and fan-out
/// durations, posts in flight, per queue messages received, acknowledged, returned and failed
/// polls, per SNS source messages received, rejected and duplicate). It sets up the process's
/// metrics backend, so it runs once per process.
///
/// SIGTERM shuts down gracefully: receiving stops, batches in hand finish (for at most the
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
        let table = try routes.load(environment: environment, environmentName: environmentName)
        let host = flags.host ?? table.serve.host ?? "0.0.0.0"
        let port = flags.port ?? table.serve.port ?? 8080
        let shutdownGrace = flags.shutdownGrace ?? table.serve.shutdownGrace ?? .seconds(30)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let resources = ProcessResources(table: table, environment: environment)
        let delivery = BatchDelivery(routes: try await resources.routeSet(table))
        let queues = table.sources(of: SQSSourceConfiguration.self)
        let client = SQSClient(aws: resources.aws.client)
        let consumers = queues.map { name, queue in
            SQSConsumer(name: name, client: client, queue: queue.queue, settings: queue.consumerSettings, logger: logger) { messages, deadline in
                let items = messages.map { message in
                    BatchDelivery.Item.sqs(
                        messageID: message.messageID, body: message.body, source: name, envelope: queue.snsEnvelope, attributes: message.attributes)
                }
                return await delivery.deliver(items, deadline: deadline, logger: logger).outcomes.map { !$0.mustReturn }
            }
        }
        let snsSources = table.sources(of: SNSSourceConfiguration.self)
        let sns = SNSEndpoint(
            subscriptions: snsSources.map { name, topic in
                .init(name: name, configuration: topic, signingHost: SNSSigningHost(region: topic.topic.region, aws: resources.aws.client))
            },
            delivery: delivery, logger: logger)
        if consumers.isEmpty && snsSources.isEmpty { logger.warning("the route table has no sqs or sns source: nothing will arrive") }

        let router = Router()
        router.get("/healthz") { _, _ in "alive\n" }
        router.get("/readyz") { _, _ in
            let problems = await delivery.routes.readinessProblems(deadline: .now + .seconds(5))
            guard problems.isEmpty else {
                logger.warning("not_ready: \(problems.joined(separator: "; "))")
                return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "not ready:\n" + problems.joined(separator: "\n") + "\n")))
            }
            let counts = "\(delivery.routes.pipelines.count) routes, \(consumers.count) queues, \(snsSources.count) sns sources"
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready: \(counts); stores and sinks reachable\n")))
        }
        router.post("/sns/:source") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let answer = await sns.handle(
                source: context.parameters.get("source") ?? "", header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } },
                body: Array(body.readableBytesView))
            return Response(
                status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let server = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "notification-router"),
            onServerRunning: { channel in onListening("\(host):\(channel.localAddress?.port ?? port)") }, logger: logger)

        // Services shut down in reverse order: the consumers stop receiving and finish first,
        // then the HTTP server, then the shared HTTP client.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: ShutdownOnSignal(resources.shutdown)), .init(service: server)] + consumers.map { .init(service: $0) }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm], cancellationSignals: [.sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownGrace
        try await ServiceGroup(configuration: configuration).run()
    }
}
