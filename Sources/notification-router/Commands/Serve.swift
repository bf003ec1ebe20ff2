import ArgumentParser
import FoundationEssentials
import RouterApp

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run as a daemon: consume the route table's SQS queues, take SNS HTTP(S) deliveries at POST /sns/SOURCE; GET /healthz, /readyz and /metrics (Prometheus).",
        discussion: """
            Any number of daemons may consume the same queue. SIGTERM stops receiving, finishes the batches in hand \
            (at most --shutdown-grace), deletes what was delivered and exits 0; the rest is redelivered by SQS.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "Address to listen on (else routes.yaml's serve.host, else 0.0.0.0).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (else routes.yaml's serve.port, else 8080).")
    var port: Int?

    @Option(help: "How long batches in hand may finish after SIGTERM (else routes.yaml's serve.shutdown_grace, else 30s).")
    var shutdownGrace: String?

    func run() async throws {
        let logger = try options.logger("notification-router.serve")
        let grace = try shutdownGrace.map { text in
            guard let grace = ConfigDuration.parse(text) else { throw ValidationError("--shutdown-grace takes a duration such as 30s") }
            return grace
        }
        try await runMode("serve") {
            try await ServeMode.run(
                routes: options.routesFile, environment: ProcessInfo.processInfo.environment, environmentName: options.environmentName,
                flags: ServeSettings(host: host, port: port, shutdownGrace: grace), logger: logger
            ) { address in
                StandardStream.output.write("notification-router serve: listening on \(address)\n")
            }
        }
    }
}
