import ArgumentParser
import FoundationEssentials
import Logging
import RouterApp

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
    StandardStream.error.write(message + "\n")
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
