import Logging

/// The custom runtime's loop: take the next event, run the handler, post its result; forever.
///
/// With `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances), that many loops run
/// at once in this process, sharing everything the handler shares. A Runtime API failure is
/// logged and retried after a short pause; the loop ends only when its task is cancelled.
public struct LambdaRuntime<API: LambdaRuntimeAPI>: Sendable {
    public typealias Handler = @Sendable (LambdaInvocation) async -> LambdaResult

    let client: API
    let concurrency: Int
    let logger: Logger

    public init(client: API, concurrency: Int, logger: Logger) {
        self.client = client
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    /// The runtime with the concurrency Lambda asks for: `AWS_LAMBDA_MAX_CONCURRENCY`, else 1.
    public init(client: API, environment: [String: String], logger: Logger) {
        self.init(client: client, concurrency: environment["AWS_LAMBDA_MAX_CONCURRENCY"].flatMap { Int($0) } ?? 1, logger: logger)
    }

    /// Initializes the function, then serves. When `initialize` throws, the error is logged and
    /// posted as the init error (Lambda fails the invocation with it and restarts the
    /// environment), and rethrown.
    public func run(initializingWith initialize: () async throws -> Handler) async throws {
        let handler: Handler
        do {
            handler = try await initialize()
        } catch {
            logger.critical("init_failed: \(error)")
            try await client.initializationFailed(LambdaFunctionError(type: "Runtime.InvalidConfiguration", message: "\(error)"))
            throw error
        }
        await run(handler)
    }

    /// Serves with `handler` until the task is cancelled.
    public func run(_ handler: @escaping Handler) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await loop(handler) }
            }
        }
    }

    private func loop(_ handler: @escaping Handler) async {
        while !Task.isCancelled {
            let invocation: LambdaInvocation
            do {
                invocation = try await client.next()
            } catch {
                if Task.isCancelled { return }
                logger.error("runtime_api_failed: could not get the next invocation: \(error)")
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let result = await handler(invocation)
            do {
                try await client.answer(result, for: invocation.requestID)
            } catch {
                logger.error("runtime_api_failed: could not post the result of \(invocation.requestID): \(error)")
            }
        }
    }
}
