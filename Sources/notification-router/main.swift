import ArgumentParser
import Foundation
import RouterApp
import RouterCore

/// The notification-router command line (DESIGN §4). Exit status: 0 on success, 1 on a
/// failure the message explains, 2 on bad usage.
@main
struct NotificationRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification-router",
        abstract: "Delivers notification requests from SNS and SQS to API Gateway WebSocket connections.",
        version: RouterVersion.current,
        subcommands: [Check.self, Version.self]
    )

    /// Runs the command, exiting 2 (not ArgumentParser's 64) on bad usage.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The route table (default: ./routes.yaml, else $LAMBDA_TASK_ROOT/routes.yaml, else the built-in default).")
    var routes: String?

    @Option(name: .long, help: "The environments: overlay to apply (also ROUTER_ENV).")
    var env: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (also LOG_LEVEL).")
    var logLevel: String?

    var environmentName: String? {
        env ?? ProcessInfo.processInfo.environment["ROUTER_ENV"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a routes.yaml and print the resolved route table.",
        discussion: "Prints every store, sink, source and route after variable expansion (secrets masked), or every error with its file:line:column. Exits 1 when there are errors."
    )

    @Argument(help: "The routes.yaml to check (default: as --routes).")
    var file: String?

    @OptionGroup var options: CommonOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let routesFile = RoutesFile(explicit: file ?? options.routes, environment: environment)
        do {
            let table = try routesFile.load(environment: environment, environmentName: options.environmentName)
            print(RouteTablePrinter.render(table))
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            let count = error.errors.count
            FileHandle.standardError.write(Data("\(count) error\(count == 1 ? "" : "s") in \(routesFile.path ?? DefaultRoutes.origin)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print(RouterVersion.current)
    }
}
