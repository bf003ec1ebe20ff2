import APIGatewaySink
import AsyncHTTPClient
import FoundationEssentials
import LambdaRuntime
import Logging
import RouterCore

/// `notification-router lambda` (and the binary as `bootstrap`): the Lambda custom runtime.
///
/// At start it loads routes.yaml (or the built-in default), builds the HTTP client,
/// credentials and components once, and reports a broken table or environment through
/// `/runtime/init/error` with the message that says what to fix; then it serves invocations
/// (``LambdaEventHandler``), `AWS_LAMBDA_MAX_CONCURRENCY` at a time.
///
/// Connection lifecycle settings come from the environment: `CONNECT_USER_ID`
/// (`query:NAME`, default `query:user_id`, or `authorizer:KEY`) and `CONNECT_REFUSAL_STATUS`
/// (default 401).
public enum LambdaMode {
    public static func run(routes: RoutesFile, environment: [String: String], environmentName: String?, logger: Logger) async throws {
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            throw RouterAppError(.invalidEnvironment, "AWS_LAMBDA_RUNTIME_API is not set: `lambda` runs inside AWS Lambda (or under a Runtime API emulator)")
        }
        let runtime = LambdaRuntime(client: LambdaRuntimeClient(host: api, httpClient: .shared), environment: environment, logger: logger)
        var resources: ProcessResources?
        do {
            try await runtime.run {
                let table = try routes.load(environment: environment, environmentName: environmentName)
                logger.info("\(table.summary)")
                let process = ProcessResources(table: table, environment: environment)
                let routeSet = try await process.routeSet(table)
                resources = process
                let handler = try Self.handler(routes: routeSet, environment: environment, logger: logger)
                logger.info("ready: \(routeSet.pipelines.count) routes")
                return handler.handle
            }
        } catch {
            try? await resources?.shutdown()
            throw error
        }
        try await resources?.shutdown()
    }

    /// What the runtime loop calls for each invocation, for `routes` built by the caller: the
    /// whole of Lambda mode but the Runtime API, so it runs in-process in tests.
    /// - Parameter metrics: where the EMF lines go (standard output in Lambda).
    public static func handler(
        routes: RouteSet, environment: [String: String], logger: Logger, metrics: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput
    ) throws(RouterAppError) -> LambdaEventHandler {
        guard let userID = ConnectionLifecycle.UserIDSource(environment["CONNECT_USER_ID"]) else {
            throw RouterAppError(.invalidEnvironment, "CONNECT_USER_ID='\(environment["CONNECT_USER_ID"] ?? "")' is not query:NAME or authorizer:KEY")
        }
        let refusal = environment["CONNECT_REFUSAL_STATUS"].map { Int($0) } ?? 401
        guard let refusal, (400..<600).contains(refusal) else {
            throw RouterAppError(.invalidEnvironment, "CONNECT_REFUSAL_STATUS='\(environment["CONNECT_REFUSAL_STATUS"] ?? "")' is not an HTTP status from 400 to 599")
        }
        return LambdaEventHandler(
            delivery: BatchDelivery(routes: routes),
            lifecycle: routes.primaryConnectionStore.map { ConnectionLifecycle(store: $0, userID: userID, refusalStatus: refusal) },
            logger: logger, metrics: metrics)
    }
}
