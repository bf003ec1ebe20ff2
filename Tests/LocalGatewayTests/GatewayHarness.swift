import AWSCore
import APIGatewaySink
import AsyncHTTPClient
import LocalGateway
import Logging
import RouterCore
import RouterTestSupport
import ServiceLifecycle

/// A local gateway in this process on 127.0.0.1, port 0, over an in-memory store and room
/// directory, with real WebSocket clients and an `apigw` sink pointed at it.
struct GatewayHarness {
    let url: String
    let store: MemoryConnectionStore
    let rooms: MemoryRoomDirectory
    let clients: WebSocketClients
    /// This gateway's own client, shut down before the gateway so that no keep-alive
    /// connection holds up the gateway's graceful shutdown.
    let httpClient: HTTPClient
    /// Starts the gateway's graceful shutdown (as SIGTERM does) while the test goes on.
    let shutDown: @Sendable () async -> Void

    static let logger = Logger(label: "gateway-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func with<Result: Sendable>(
        _ configuration: LocalGatewayConfiguration = LocalGatewayConfiguration(port: 0),
        _ body: @escaping @Sendable (GatewayHarness) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.port = 0
        let store = MemoryConnectionStore()
        let rooms = MemoryRoomDirectory()
        let gateway = LocalGateway(configuration: configuration, store: store, rooms: rooms, logger: logger) { _ in DeliveryOutcome() }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let services = ServiceGroup(configuration: .init(
            services: [gateway.application { port in continuation.yield(port); continuation.finish() }], logger: logger))
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ProcessWaitError(message: "the gateway did not start") }
            let url = "http://127.0.0.1:\(port)"
            let outcome: Swift.Result<Result, any Error>
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let clients = try WebSocketClients(url)
                defer { clients.stop() }
                let harness = GatewayHarness(
                    url: url, store: store, rooms: rooms, clients: clients, httpClient: httpClient,
                    shutDown: { await services.triggerGracefulShutdown() })
                outcome = .success(try await body(harness))
            } catch {
                outcome = .failure(error)
            }
            try await httpClient.shutdown()
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try outcome.get()
        }
    }

    /// The ids of `user`'s open connections, from the store the gateway writes.
    func connectionIDs(of user: String) async -> [String] {
        await store.all.filter { $0.userID == user }.map(\.connectionID)
    }

    /// An `apigw` sink posting to this gateway.
    func sink() throws -> APIGatewaySink {
        let configuration = try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: \(url)\nregion: us-east-1")
        let aws = AWSClient(
            httpClient: httpClient, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDLOCAL", secretAccessKey: "local")),
            endpoints: AWSEndpoints(environment: [:]))
        return try APIGatewaySink(configuration: configuration, aws: aws, region: "us-east-1", retry: .jitter(base: .milliseconds(2), cap: .milliseconds(20)))
    }
}
