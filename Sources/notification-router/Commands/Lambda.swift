import ArgumentParser
import FoundationEssentials
import RouterApp

struct Lambda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run as an AWS Lambda custom runtime (what the binary does as `bootstrap` with no arguments).",
        discussion: """
            Serves SQS events (answering partial batch failures), SNS events, API Gateway WebSocket $connect and \
            $disconnect events, and directly invoked notification requests. Logs are JSON lines; metrics are CloudWatch \
            Embedded Metric Format lines. Needs AWS_LAMBDA_RUNTIME_API.
            """
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let logger = try options.logger("notification-router", json: true)
        try await runMode("lambda") {
            try await LambdaMode.run(
                routes: options.routesFile, environment: ProcessInfo.processInfo.environment,
                environmentName: options.environmentName, logger: logger)
        }
    }
}
