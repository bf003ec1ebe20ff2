import AsyncHTTPClient
import Foundation
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
            throw RouterAppError("AWS_LAMBDA_RUNTIME_API is not set: `lambda` runs inside AWS Lambda (or under a Runtime API emulator)")
        }
        let client = LambdaRuntimeClient(host: api, httpClient: .shared)
        let handler: LambdaEventHandler
        let resources: ProcessResources
        do {
            (handler, resources) = try await build(routes: routes, environment: environment, environmentName: environmentName, logger: logger)
        } catch {
            logger.critical("init_failed: \(error)")
            try await client.initializationFailed(LambdaFunctionError(type: "Runtime.InvalidConfiguration", message: "\(error)"))
            throw error
        }
        logger.info("ready: \(handler.delivery.routes.pipelines.count) routes from \(routes.path ?? DefaultRoutes.origin)")
        await LambdaRuntime(client: client, concurrency: LambdaRuntime.concurrency(environment: environment), logger: logger).run { invocation in
            await handler.handle(invocation)
        }
        try await resources.shutdown()
    }

    static func build(
        routes: RoutesFile, environment: [String: String], environmentName: String?, logger: Logger
    ) async throws -> (LambdaEventHandler, ProcessResources) {
        guard let userID = ConnectionLifecycle.UserIDSource(environment["CONNECT_USER_ID"]) else {
            throw RouterAppError("CONNECT_USER_ID='\(environment["CONNECT_USER_ID"] ?? "")' is not query:NAME or authorizer:KEY")
        }
        let refusal = environment["CONNECT_REFUSAL_STATUS"].map { Int($0) } ?? 401
        guard let refusal, (400..<600).contains(refusal) else {
            throw RouterAppError("CONNECT_REFUSAL_STATUS='\(environment["CONNECT_REFUSAL_STATUS"] ?? "")' is not an HTTP status from 400 to 599")
        }
        let table = try routes.load(environment: environment, environmentName: environmentName)
        let resources = ProcessResources(table: table, environment: environment)
        let routeSet = try await resources.routeSet(table)
        let handler = LambdaEventHandler(
            delivery: BatchDelivery(routes: routeSet), sources: SourceDirectory(table),
            lifecycle: routeSet.primaryConnectionStore.map { ConnectionLifecycle(store: $0, userID: userID, refusalStatus: refusal) },
            logger: logger, metrics: JSONLogHandler.standardOutput)
        return (handler, resources)
    }
}
