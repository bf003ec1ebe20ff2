// A user-defined source, registered with one line and run by the daemon's own wiring.
//
// `lines` (LinesSource.swift) reads notification requests, one per line, from a file or
// standard input. Run it with a route table that names one:
//
//   swift run custom-source-example routes.yaml < requests.ndjson
//
// Every plugin of the binary is available too: DynamoDB stores, the API Gateway sink, SQS
// queues and SNS topics (whose receivers run next to it).

import Foundation
import Logging
import RouterApp

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: custom-source-example ROUTES_YAML < requests.ndjson\n".utf8))
    exit(2)
}
var registry = PluginRegistry.builtin
registry.register(source: "lines", LinesSource.Configuration.self)  // the one registration line

let environment = ProcessInfo.processInfo.environment
let logger = Logger(label: "custom-source-example")
do {
    let table = try RoutesFile(explicit: CommandLine.arguments[1], environment: environment)
        .load(registry: registry, environment: environment, environmentName: nil)
    try await ServeMode.run(table: table, environment: environment, flags: ServeSettings(host: "127.0.0.1", port: 0), logger: logger)
} catch {
    FileHandle.standardError.write(Data("custom-source-example: \(error)\n".utf8))
    exit(1)
}
