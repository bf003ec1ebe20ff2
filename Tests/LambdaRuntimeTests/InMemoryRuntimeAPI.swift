import LambdaRuntime
import Synchronization

/// The Runtime API in memory: events are queued by the test, `next()` waits for one, answers
/// and init errors are recorded. `failNextCalls` makes that many `next()` calls throw first.
final class InMemoryRuntimeAPI: LambdaRuntimeAPI {
    enum Answer: Equatable {
        case response(String)
        case error(type: String, message: String)
    }

    private struct State {
        var queued: [LambdaInvocation] = []
        var waiting: [CheckedContinuation<LambdaInvocation, any Error>] = []
        var answers: [String: Answer] = [:]
        var initErrors: [LambdaFunctionError] = []
        var failNextCalls = 0
        var nextCalls = 0
    }

    private let state = Mutex(State())

    init(failNextCalls: Int = 0) {
        state.withLock { $0.failNextCalls = failNextCalls }
    }

    /// Queues an event with the request id `requestID`.
    func enqueue(_ event: String, requestID: String, deadline: ContinuousClock.Instant = .now + .seconds(60)) {
        let invocation = LambdaInvocation(requestID: requestID, deadline: deadline, traceID: nil, functionARN: nil, event: Array(event.utf8))
        let waiter = state.withLock { state -> CheckedContinuation<LambdaInvocation, any Error>? in
            if state.waiting.isEmpty {
                state.queued.append(invocation)
                return nil
            }
            return state.waiting.removeFirst()
        }
        waiter?.resume(returning: invocation)
    }

    var answers: [String: Answer] { state.withLock { $0.answers } }
    var initErrors: [LambdaFunctionError] { state.withLock { $0.initErrors } }
    var nextCalls: Int { state.withLock { $0.nextCalls } }

    func next() async throws -> LambdaInvocation {
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result = state.withLock { state -> Result<LambdaInvocation, any Error>? in
                    state.nextCalls += 1
                    if state.failNextCalls > 0 {
                        state.failNextCalls -= 1
                        return .failure(LambdaRuntimeError(.unexpectedStatus, "invocation/next answered HTTP 500"))
                    }
                    if !state.queued.isEmpty { return .success(state.queued.removeFirst()) }
                    state.waiting.append(continuation)
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiters = state.withLock { state in
                defer { state.waiting.removeAll() }
                return state.waiting
            }
            for waiter in waiters { waiter.resume(throwing: CancellationError()) }
        }
    }

    func answer(_ result: LambdaResult, for requestID: String) async throws {
        let answer: Answer
        switch result {
        case .response(let body): answer = .response(String(decoding: body, as: UTF8.self))
        case .error(let error): answer = .error(type: error.type, message: error.message)
        }
        state.withLock { $0.answers[requestID] = answer }
    }

    func initializationFailed(_ error: LambdaFunctionError) async throws {
        state.withLock { $0.initErrors.append(error) }
    }
}
