import ArgumentParser
import FoundationEssentials
import RouterApp

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the local gateway: WebSockets, the management API, POST /publish and a dev console, with no AWS account.",
        discussion: """
            Clients connect to ws://HOST:PORT/?user_id=USER. POST /publish takes a notification request and answers with \
            the delivery reports; the route's sink posts back to the gateway's /@connections API as it would to API Gateway. \
            Uses the route table's `dev` environment when it has one (the built-in default does: in-memory connections and rooms).
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8080

    @Option(help: "Close a connection after this long without a message from its client (API Gateway: 10m).")
    var idleTimeout = "10m"

    @Option(help: "Close a connection after this long whatever it does (API Gateway: 2h).")
    var maxDuration = "2h"

    @Flag(help: "Leave connections in the store when their socket closes, so posts to them answer 410 and pruning can be watched.")
    var keepStaleConnections = false

    func run() async throws {
        let logger = try options.logger("notification-router.dev")
        guard let idle = ConfigDuration.parse(idleTimeout), let maximum = ConfigDuration.parse(maxDuration) else {
            throw ValidationError("--idle-timeout and --max-duration take durations such as 30s, 10m or 2h")
        }
        let gateway = try LocalGatewayConfiguration(
            host: host, port: port, idleTimeout: idle, maxDuration: maximum, keepConnectionsOnDisconnect: keepStaleConnections
        ).withFreePort()
        try await runMode("dev") {
            try await DevMode.run(
                routes: options.routesFile, environment: ProcessInfo.processInfo.environment,
                environmentName: options.environmentName, gateway: gateway, logger: logger
            ) { url, table in
                let lines = [
                    "notification-router dev: \(table)",
                    "notification-router dev: listening on \(url)",
                    "  console:  \(url)/  (connect, join a room, publish, in the browser)",
                    "  client:   notification-router listen --user alice\(url == "http://127.0.0.1:8080" ? "" : " ws\(url.dropFirst(4))")",
                    "  publish:  curl -d '{\"users\":[\"alice\"],\"data\":{\"hello\":\"world\"}}' \(url)/publish",
                ]
                StandardStream.output.write(lines.joined(separator: "\n") + "\n")
            }
        }
    }
}
