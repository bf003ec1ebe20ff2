import LambdaRuntime
import Logging
import Synchronization
import Testing

/// The runtime loop against the Runtime API in memory.
@Suite("Lambda runtime loop")
struct LambdaRuntimeTests {
    let logger = Logger(label: "test")

    /// Runs `runtime` with `handler` until `done` says so, then cancels it.
    static func serve(
        _ runtime: LambdaRuntime<InMemoryRuntimeAPI>, _ handler: @escaping LambdaRuntime<InMemoryRuntimeAPI>.Handler,
        until done: @escaping @Sendable () -> Bool
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.run(handler) }
            while !done() { try await Task.sleep(for: .milliseconds(5)) }
            group.cancelAll()
        }
    }

    @Test("each event's result is posted for its request id: responses and function errors")
    func responsesAndErrors() async throws {
        let api = InMemoryRuntimeAPI()
        api.enqueue("ok", requestID: "r-1")
        api.enqueue("fail", requestID: "r-2")
        try await Self.serve(LambdaRuntime(client: api, concurrency: 1, logger: logger), { invocation in
            let text = String(decoding: invocation.event, as: UTF8.self)
            return text == "ok" ? .response(Array("done \(invocation.requestID)".utf8)) : .error(LambdaFunctionError(type: "Boom", message: text))
        }, until: { api.answers.count == 2 })
        #expect(api.answers == ["r-1": .response("done r-1"), "r-2": .error(type: "Boom", message: "fail")])
    }

    @Test("a failed initialization is posted as the init error, rethrown, and no event is taken")
    func initError() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "routes.yaml:3:5: unknown type 'sqs2'" } }
        let api = InMemoryRuntimeAPI()
        api.enqueue("ok", requestID: "r-1")
        await #expect(throws: Broken.self) {
            try await LambdaRuntime(client: api, concurrency: 1, logger: logger).run(initializingWith: { throw Broken() })
        }
        #expect(api.initErrors == [LambdaFunctionError(type: "Runtime.InvalidConfiguration", message: "routes.yaml:3:5: unknown type 'sqs2'")])
        #expect(api.nextCalls == 0 && api.answers.isEmpty)
    }

    @Test("a Runtime API failure on next is retried; the loop goes on")
    func nextFailureRetried() async throws {
        let api = InMemoryRuntimeAPI(failNextCalls: 2)
        api.enqueue("ok", requestID: "r-1")
        try await Self.serve(LambdaRuntime(client: api, concurrency: 1, logger: logger), { _ in .response([]) }, until: { api.answers.count == 1 })
        #expect(api.answers == ["r-1": .response("")])
        #expect(api.nextCalls >= 3)
    }

    @Test("AWS_LAMBDA_MAX_CONCURRENCY loops run at once; 1 serves one event at a time")
    func concurrency() async throws {
        for (setting, expected) in [("3", 3), ("1", 1), ("nonsense", 1)] {
            let api = InMemoryRuntimeAPI()
            for index in 0..<6 { api.enqueue("e", requestID: "r-\(index)") }
            let running = Mutex((now: 0, most: 0))
            let runtime = LambdaRuntime(client: api, environment: ["AWS_LAMBDA_MAX_CONCURRENCY": setting], logger: logger)
            try await Self.serve(runtime, { _ in
                running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                // Hold each event until as many as may run at once have started (or long enough).
                for _ in 0..<400 where running.withLock({ $0.now }) < expected { try? await Task.sleep(for: .milliseconds(5)) }
                try? await Task.sleep(for: .milliseconds(20))
                running.withLock { $0.now -= 1 }
                return .response([])
            }, until: { api.answers.count == 6 })
            #expect(running.withLock { $0.most } == expected, "AWS_LAMBDA_MAX_CONCURRENCY=\(setting)")
        }
    }
}
