import ArgumentParser
import Foundation
import LocalGateway
import Logging
import AWSCore
import RouterApp
import RouterCore
import SQSSource

/// The notification-router command line (DESIGN §4). Exit status: 0 on success, 1 on a
/// failure the message explains, 2 on bad usage.
@main
struct NotificationRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification-router",
        abstract: "Delivers notification requests from SNS and SQS to API Gateway WebSocket connections.",
        version: RouterVersion.current,
        subcommands: [Dev.self, Lambda.self, Serve.self, Publish.self, Check.self, Version.self]
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

    /// Sets up logging at `--log-level` (else `LOG_LEVEL`, else info): text lines on standard
    /// error, or JSON lines on standard output for CloudWatch Logs; returns the command's logger.
    func logger(_ label: String, json: Bool = false) throws -> Logger {
        let name = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "info"
        guard let level = Logger.Level(rawValue: name) else {
            throw ValidationError("'\(name)' is not a log level; expected trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    /// The route table file, chosen as every command chooses it.
    var routesFile: RoutesFile {
        RoutesFile(explicit: routes, environment: ProcessInfo.processInfo.environment)
    }
}

/// Prints `message` to standard error and exits 1: a failure the message explains.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(1)
}

/// Runs a mode, turning its errors into exit status 1 with their message: a broken route
/// table as its file:line:column list, anything else prefixed with the command's name.
func runMode(_ command: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ConfigErrors {
        throw fail(error.description)
    } catch {
        throw fail("notification-router \(command): \(error)")
    }
}

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
                FileHandle.standardOutput.write(Data("notification-router serve: listening on \(address)\n".utf8))
            }
        }
    }
}

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the local gateway: WebSockets, the management API, POST /publish and a demo page, with no AWS account.",
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
            ) { url in
                let lines = [
                    "notification-router dev: listening on \(url)",
                    "  connect:  ws\(url.dropFirst(4))/?user_id=alice",
                    "  publish:  curl -d '{\"users\":[\"alice\"],\"data\":{\"hello\":\"world\"}}' \(url)/publish",
                    "  demo:     \(url)/",
                ]
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
        }
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

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a notification request to a local gateway, an SQS queue or an SNS topic.",
        discussion: """
            Give the request as JSON (an argument, or - for standard input), or build it from --users, --exclude, --rooms and \
            --data. Prints the delivery reports (--local) or the message id (--queue, --topic). AWS credentials, region and \
            endpoints come from the usual AWS variables (AWS_ENDPOINT_URL for a local server).
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("local"), help: "A dev gateway's URL, e.g. http://127.0.0.1:8080.")
    var localURL: String?

    @Option(name: .customLong("queue"), help: "An SQS queue URL or ARN.")
    var queue: String?

    @Option(name: .customLong("topic"), help: "An SNS topic ARN.")
    var topic: String?

    @Option(help: "Users to deliver to, comma-separated.")
    var users: String?

    @Option(help: "Users never to deliver to, comma-separated.")
    var exclude: String?

    @Option(help: "Rooms whose members to deliver to, comma-separated.")
    var rooms: String?

    @Option(help: "The data to post, as JSON.")
    var data: String?

    @Argument(help: "The whole request as JSON, or - to read it from standard input.")
    var request: String?

    func validate() throws {
        guard [localURL, queue, topic].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --local URL, --queue URL and --topic ARN")
        }
        let hasFlags = users != nil || exclude != nil || rooms != nil || data != nil
        guard (request != nil) != hasFlags else {
            throw ValidationError("give either the request as JSON (or -) or --data with --users, --exclude and --rooms, not both")
        }
        if hasFlags && data == nil { throw ValidationError("--data is required when the request is built from flags") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let target: Publisher.Target
        if let localURL {
            target = .local(localURL)
        } else if let queue {
            guard let parsed = SQSQueue(queue, region: AWSRegion.resolve(environment: environment)) else {
                throw ValidationError("'\(queue)' is not an SQS queue URL or ARN")
            }
            target = .queue(parsed)
        } else {
            guard let topic, let arn = ARN(topic), arn.service == "sns" else { throw ValidationError("'\(topic ?? "")' is not an SNS topic ARN") }
            target = .topic(arn)
        }
        let body: String
        if let request {
            body = request == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : request
        } else {
            func list(_ text: String?) -> [String] { (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            body = Publisher.compose(users: list(users), exclude: list(exclude), rooms: list(rooms), data: data ?? "null")
        }
        let outcome: Publisher.Outcome
        do {
            outcome = try await Publisher.send(body, to: target, environment: environment)
        } catch {
            throw fail("notification-router publish: \(error)")
        }
        print(outcome.output)
        if !outcome.succeeded { throw ExitCode(1) }
    }
}
