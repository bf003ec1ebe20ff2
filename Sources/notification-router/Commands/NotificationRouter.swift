import ArgumentParser
import FoundationEssentials
import RouterApp

/// The notification-router command line (DESIGN §4). Exit status: 0 on success, 1 on a
/// failure the message explains, 2 on bad usage.
@main
struct NotificationRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification-router",
        abstract: "Delivers notification requests from SNS and SQS to API Gateway WebSocket connections.",
        version: RouterVersion.current,
        subcommands: [Dev.self, Listen.self, Lambda.self, Serve.self, Publish.self, Check.self, Version.self]
    )

    /// Runs the command, exiting 2 (not ArgumentParser's 64) on bad usage.
    static func main() async {
        do {
            // As a Lambda `bootstrap`, the binary runs with no arguments.
            let arguments = Array(CommandLine.arguments.dropFirst())
            let isBootstrap = arguments.isEmpty && ProcessInfo.processInfo.environment["AWS_LAMBDA_RUNTIME_API"].map { !$0.isEmpty } == true
            var command = try parseAsRoot(isBootstrap ? ["lambda"] : arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            StandardStream.error.write(fullMessage(for: error) + "\n")
            exit(withError: ExitCode(2))
        }
    }
}
