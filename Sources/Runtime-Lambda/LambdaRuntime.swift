import AsyncHTTPClient
import Logging

/// The custom runtime's loop: take the next event, run the handler, post its result; forever.
///
/// With `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances), that many loops run
/// at once in this process, sharing everything the handler shares. A Runtime API failure is
/// logged and retried after a short pause; the loop never ends on its own.
public struct LambdaRuntime: Sendable {
    public typealias Handler = @Sendable (LambdaInvocation) async -> LambdaResult

    let client: LambdaRuntimeClient
    let concurrency: Int
    let logger: Logger

    public init(client: LambdaRuntimeClient, concurrency: Int, logger: Logger) {
        self.client = client
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    /// The concurrency Lambda asks for: `AWS_LAMBDA_MAX_CONCURRENCY`, else 1.
    public static func concurrency(environment: [String: String]) -> Int {
        environment["AWS_LAMBDA_MAX_CONCURRENCY"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
    }

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
