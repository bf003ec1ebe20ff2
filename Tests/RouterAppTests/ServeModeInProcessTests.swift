import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import RouterApp
import RouterTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// The daemon in-process: `ServeMode.serviceGroup` with a source type the test registers,
/// whose HTTP face the daemon serves without knowing it.
@Suite("daemon in-process")
struct ServeModeInProcessTests {
    /// `type: webhook`: the request is the POST body; 200 when acknowledged, else 503.
    struct WebhookSource: NotificationSource {
        let name: String

        func httpEndpoint(delivering delivery: BatchDelivery, logger: Logger) -> (any SourceHTTPEndpoint)? {
            Endpoint(name: name, delivery: delivery, logger: logger)
        }

        struct Endpoint: SourceHTTPEndpoint {
            let name: String
            let delivery: BatchDelivery
            let logger: Logger
            var path: String { "/hooks/\(name)" }

            func handle(header: @Sendable (String) -> String?, body: [UInt8]) async -> SourceHTTPAnswer {
                let item = SourceItem(
                    messageID: header("x-hook-id") ?? "hook", body: body, source: name, attributes: header("x-kind").map { ["kind": $0] } ?? [:])
                let outcome = await delivery.deliver([item], deadline: .now + .seconds(60), logger: logger).outcomes[0]
                return SourceHTTPAnswer(outcome.isAcknowledged ? 200 : 503, reports: outcome.reports)
            }
        }

        struct Configuration: SourceConfiguration {
            init(options: inout ConfigMapping) throws(ConfigError) {}
            var settings: [ConfigSetting] { [] }
            func makeSource(name: String, _ context: PluginContext) -> any NotificationSource { WebhookSource(name: name) }
        }
    }

    static func table(_ endpoint: String) -> String {
        """
        version: 1
        stores: { connections: { type: memory } }
        sinks: { websocket: { type: apigw, endpoint: "\(endpoint)" } }
        sources: { shop: { type: webhook } }
        routes:
          - { name: main, from: [shop], match: { kind: [order] }, to: websocket }
        """
    }

    static func request(_ method: HTTPMethod, _ url: String, body: String? = nil, headers: [(String, String)] = []) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test("a registered source's HTTP face is served and delivers through its routes; health, readiness and metrics answer; shutdown is graceful")
    func customHTTPSource() async throws {
        let registry = {
            var registry = PluginRegistry.builtin
            registry.register(source: "webhook", WebhookSource.Configuration.self)
            return registry
        }()
        let server = FakeConnectionsServer(live: ["c-ann"])
        let closed = Mutex(false)
        try await server.run { url in
            let metrics = PrometheusCollectorRegistry()
            try await InProcess.withRouteSet(Self.table(url), registry: registry, metrics: PrometheusMetricsFactory(registry: metrics)) { routes, _ in
                try await routes.connectionStores["connections"]!.put(Connection(userID: "ann", connectionID: "c-ann"))
                let (addresses, listening) = AsyncStream.makeStream(of: String.self)
                let group = ServeMode.serviceGroup(
                    routes: routes, settings: ServeSettings(host: "127.0.0.1", port: 0, shutdownGrace: .seconds(10)), metrics: metrics,
                    signals: false, logger: InProcess.logger, onListening: { listening.yield($0) }, shutdown: { closed.withLock { $0 = true } })
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    var iterator = addresses.makeAsyncIterator()
                    let base = "http://" + (await iterator.next() ?? "")

                    let order = try await Self.request(.POST, base + "/hooks/shop", body: #"{"users":["ann"],"data":"paid"}"#, headers: [("x-kind", "order")])
                    #expect(order.0 == 200 && order.1.contains(#""delivered":1"#), "\(order)")
                    let other = try await Self.request(.POST, base + "/hooks/shop", body: #"{"users":["ann"],"data":"spam"}"#, headers: [("x-kind", "spam")])
                    #expect(other.0 == 503 && other.1 == #"{"reports":[]}"#, "no route matches: not acknowledged, \(other)")
                    #expect(try await Self.request(.POST, base + "/hooks/nowhere", body: "{}").0 == 404)
                    #expect(try await Self.request(.GET, base + "/healthz") == (200, "alive\n"))
                    let ready = try await Self.request(.GET, base + "/readyz")
                    #expect(ready.0 == 200 && ready.1.contains("1 HTTP sources"), "\(ready)")
                    let text = try await Self.request(.GET, base + "/metrics").1
                    #expect(text.contains(#"notification_router_delivered_total{route="main"} 1"#), "\(text)")

                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
        #expect(closed.withLock { $0 }, "the shutdown action ran after the server stopped")
        #expect(server.received["c-ann"]?.map { String(decoding: $0, as: UTF8.self) } == [#""paid""#])
    }

    @Test("the SNS endpoint answers within SNS's 15 s even when its store's pages take 25 s: 503, so SNS retries")
    func snsAnswersInTime() async throws {
        let signer = try TestSNSSigner()
        let topic = "arn:aws:sns:us-east-1:123456789012:slow"
        let ids = (0..<LambdaDeadlineTests.segments).flatMap { segment in (0..<LambdaDeadlineTests.perSegment).map { "c\(segment)-\($0)" } }
        let server = FakeConnectionsServer(live: ids)
        try await FakeHTTPServer.with({ _ in .text(200, signer.certificatePEM) }) { sns in
            try await FakeHTTPServer.with({ request in await LambdaDeadlineTests.slowScan(request, pageDelay: .seconds(1)) }) { dynamo in
                try await server.run { url in
                    let table = """
                        version: 1
                        stores: { connections: { type: dynamodb, table: conns, scan_segments: \(LambdaDeadlineTests.segments) } }
                        sinks: { websocket: { type: apigw, endpoint: "\(url)" } }
                        sources: { alerts: { type: sns, topic: "\(topic)" } }
                        routes: [{ name: main, from: [alerts], to: websocket }]
                        """
                    let metrics = PrometheusCollectorRegistry()
                    try await InProcess.withRouteSet(
                        table, metrics: PrometheusMetricsFactory(registry: metrics),
                        environment: ["AWS_ENDPOINT_URL_DYNAMODB": dynamo, "AWS_ENDPOINT_URL_SNS": sns]
                    ) { routes, _ in
                        let (addresses, listening) = AsyncStream.makeStream(of: String.self)
                        let group = ServeMode.serviceGroup(
                            routes: routes, settings: ServeSettings(host: "127.0.0.1", port: 0, shutdownGrace: .seconds(10)), metrics: metrics,
                            signals: false, logger: InProcess.logger, onListening: { listening.yield($0) }, shutdown: {})
                        try await withThrowingTaskGroup(of: Void.self) { tasks in
                            tasks.addTask { try await group.run() }
                            var iterator = addresses.makeAsyncIterator()
                            let base = "http://" + (await iterator.next() ?? "")
                            let message = try signer.notification(
                                topic: topic, message: #"{"data":"everyone"}"#,
                                certificateURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem")
                            let posted = ContinuousClock.now
                            let answer = try await Self.request(.POST, base + "/sns/alerts", body: String(decoding: TestSNSSigner.body(message), as: UTF8.self))
                            let took = ContinuousClock.now - posted
                            #expect(took < .seconds(15), "answered after \(took)")
                            #expect(answer.0 == 503 && answer.1.contains(#""unread":true"#), "\(answer)")
                            await group.triggerGracefulShutdown()
                            try await tasks.waitForAll()
                        }
                    }
                }
            }
        }
        #expect(server.received.count > 0 && server.received.count < ids.count)
    }
}
