import AWSCore
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LocalGateway
import Logging
import RouterCore
import ServiceLifecycle
import UnixSignals

/// `notification-router dev`: the local gateway with the route table's `dev` environment (or
/// the one named; a table without `dev` is used as it is),
/// whose sink posts back to the gateway's management API over HTTP — the production code path
/// with no AWS account (DESIGN §4).
///
/// The gateway writes connections to the connection store of the first route's sink and
/// rooms to the first `memory-rooms` directory. `POST /publish` is the in-process face of the
/// table's sources: the request goes through ``RouterCore/BatchDelivery`` as if it came from
/// the source `?source=NAME` names (default: the table's first source; none when the table
/// has none), with the `attribute.NAME=VALUE` query parameters as its message attributes, so
/// `from:` and `match:` pick its routes as in production. The variable `DEV_GATEWAY_URL` holds
/// the gateway's own URL, for the table's sink endpoint.
public enum DevMode {
    /// Loads the table, builds it, serves until SIGTERM or SIGINT. `onListening` gets the
    /// gateway's base URL once it accepts connections, and the table's ``RouteTable/summary``.
    public static func run(
        routes: RoutesFile, environment: [String: String], environmentName: String?, gateway configuration: LocalGatewayConfiguration,
        logger: Logger, onListening: @escaping @Sendable (_ url: String, _ table: String) -> Void
    ) async throws {
        let url = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(configuration.port)"
        var variables = environment
        variables["DEV_GATEWAY_URL"] = url
        let table = try routes.load(environment: variables, environmentName: environmentName ?? "dev", ifDefined: environmentName == nil)
        let resources = ProcessResources(
            table: table, environment: variables,
            fallbackCredentials: .init(accessKeyID: "ANONYMOUSDEVKEY", secretAccessKey: "dev"), fallbackRegion: "us-east-1")
        let routeSet = try await resources.routeSet(table)
        let group: ServiceGroup
        do {
            group = try serviceGroup(routes: routeSet, gateway: configuration, signals: true, logger: logger, shutdown: resources.shutdown) { _ in
                onListening(url, table.summary)
            }
        } catch {
            try await resources.shutdown()
            throw error
        }
        try await group.run()
    }

    /// The dev gateway for `routes`, ready to run: the whole of `dev` but loading the table, so
    /// it runs in-process in tests.
    /// - Parameters:
    ///   - signals: SIGTERM and SIGINT shut down gracefully (the binary), or only the caller does;
    ///   - shutdown: runs after the gateway has stopped (closing the HTTP client);
    ///   - onListening: gets the bound port.
    public static func serviceGroup(
        routes: RouteSet, gateway configuration: LocalGatewayConfiguration, signals: Bool, logger: Logger,
        shutdown: @escaping @Sendable () async throws -> Void, onListening: @escaping @Sendable (Int) async -> Void
    ) throws(RouterAppError) -> ServiceGroup {
        guard let store = routes.primaryConnectionStore else {
            throw RouterAppError(.noConnectionStore, "the route table has no route whose sink has a connection store")
        }
        let rooms = routes.roomDirectories.values.lazy.compactMap { $0 as? MemoryRoomDirectory }.first
        let delivery = BatchDelivery(routes: routes)
        let table = routes.table
        let names = table.sources.map(\.name)
        let gateway = LocalGateway(configuration: configuration, store: store, rooms: rooms, logger: logger) { request throws(PublishRefusal) in
            let source = request.source ?? names.first
            if let source, !names.contains(source) {
                throw PublishRefusal(table.noSource(named: source))
            }
            let item = SourceItem(
                messageID: "local-" + UUID().uuidString.lowercased(), body: request.body, source: source, attributes: request.attributes)
            return await delivery.deliver([item], deadline: .now + .seconds(30), logger: logger).outcomes[0]
        }
        // Services stop in reverse order: the sink's HTTP client first, so that its keep-alive
        // connections to the gateway do not hold up the gateway's graceful shutdown.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: gateway.application(onListening: onListening)), .init(service: ShutdownOnSignal(shutdown)),
        ]
        return ServiceGroup(configuration: signals
            ? .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            : .init(services: services, logger: logger))
    }
}

extension LocalGatewayConfiguration {
    /// This configuration with port 0 replaced by a port that is free now, so that the route
    /// table's sink can be given the gateway's URL before the gateway binds it.
    public func withFreePort() throws -> LocalGatewayConfiguration {
        guard port == 0 else { return self }
        var copy = self
        copy.port = try FreePort.find(host: host)
        return copy
    }
}

/// Asks the kernel for a free TCP port on `host` by binding port 0 and closing the socket.
enum FreePort {
    static func find(host: String) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RouterAppError(.network, "cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw RouterAppError(.network, "cannot bind \(host) to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
