import Foundation
import Synchronization

/// A fake Lambda Runtime API on 127.0.0.1, port 0: the tests queue events, the runtime under
/// test takes them with `GET /2018-06-01/runtime/invocation/next` and answers with
/// `…/{id}/response` or `…/{id}/error`; `/runtime/init/error` is recorded too.
public final class FakeRuntimeAPI: Sendable {
    /// What the runtime answered for one invocation.
    public struct Answer: Sendable {
        /// `response` or `error`.
        public let kind: String
        public let body: String
        /// `Lambda-Runtime-Function-Error-Type`, for errors.
        public let errorType: String?

        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    struct Event: Sendable {
        let id: String
        let body: String
        let deadlineMilliseconds: Int64
    }

    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let answers = Mutex<[String: Answer]>([:])
    private let initError = Mutex<Answer?>(nil)

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Runs `body` with the API's `host:port` (the value of `AWS_LAMBDA_RUNTIME_API`).
    public func run<Result: Sendable>(_ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await FakeHTTPServer.with({ request in await self.answer(request) }) { url in
            defer { self.continuation.finish() }
            return try await body(String(url.dropFirst("http://".count)))
        }
    }

    /// Queues `event` with a deadline `timeout` from now and waits for the runtime's answer.
    public func invoke(_ event: String, timeout: Duration = .seconds(60), limit: Duration = .seconds(120)) async throws -> Answer {
        let id = UUID().uuidString.lowercased()
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout.components.seconds * 1000) + timeout.components.attoseconds / 1_000_000_000_000_000
        continuation.yield(Event(id: id, body: event, deadlineMilliseconds: deadline))
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let answer = answers.withLock({ $0[id] }) { return answer }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProcessWaitError(message: "the runtime did not answer invocation \(id) within \(limit)")
    }

    /// Waits for `/runtime/init/error`.
    public func waitForInitError(limit: Duration = .seconds(60)) async throws -> Answer {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let answer = initError.withLock({ $0 }) { return answer }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProcessWaitError(message: "no init/error within \(limit)")
    }

    private func answer(_ request: FakeRequest) async -> FakeResponse {
        let prefix = "/2018-06-01/runtime"
        let path = String(request.path.dropFirst(prefix.count))
        let body = String(decoding: request.body, as: UTF8.self)
        if request.method == "GET", path == "/invocation/next" {
            var iterator = events.makeAsyncIterator()
            guard let event = await iterator.next() else { return .text(500, "shutting down") }
            return FakeResponse(status: 200, headers: [
                ("Lambda-Runtime-Aws-Request-Id", event.id), ("Lambda-Runtime-Deadline-Ms", "\(event.deadlineMilliseconds)"),
                ("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:notification-router"),
                ("Content-Type", "application/json"),
            ], body: Array(event.body.utf8))
        }
        if request.method == "POST", path == "/init/error" {
            initError.withLock { $0 = Answer(kind: "error", body: body, errorType: request.header("Lambda-Runtime-Function-Error-Type")) }
            return .json(202, #"{"status":"OK"}"#)
        }
        let parts = path.split(separator: "/")
        if request.method == "POST", parts.count == 3, parts[0] == "invocation", ["response", "error"].contains(parts[2]) {
            let answer = Answer(kind: String(parts[2]), body: body, errorType: request.header("Lambda-Runtime-Function-Error-Type"))
            answers.withLock { $0[String(parts[1])] = answer }
            return .json(202, #"{"status":"OK"}"#)
        }
        return .text(404, "unknown runtime API path \(request.method) \(request.path)")
    }
}
