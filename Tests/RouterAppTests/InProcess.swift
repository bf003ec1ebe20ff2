import Foundation
import Logging
import Metrics
import RouterApp

/// Builds route sets on the process's resources the way the modes do, for in-process tests of
/// the modes (no binary, no signals).
enum InProcess {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1", "HOME": NSTemporaryDirectory(),
    ]

    /// `yaml` loaded with `registry` and built with `metrics` (and `extra` variables, e.g. an
    /// endpoint override); `body` runs with it, and the HTTP client is closed afterwards.
    static func withRouteSet<Result: Sendable>(
        _ yaml: String, registry: PluginRegistry = .builtin, metrics: any MetricsFactory = MetricsSystem.factory,
        environment extra: [String: String] = [:], _ body: (RouteSet, ProcessResources) async throws -> Result
    ) async throws -> Result {
        let environment = environment.merging(extra) { $1 }
        let table = try RouteTableLoader(registry: registry, variables: environment).load(yaml: yaml, file: "routes.yaml")
        let resources = ProcessResources(table: table, environment: environment)
        let routes = try await resources.routeSet(table, metrics: metrics)
        do {
            let result = try await body(routes, resources)
            try await resources.shutdown()
            return result
        } catch {
            try? await resources.shutdown()
            throw error
        }
    }
}
