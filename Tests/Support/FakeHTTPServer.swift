import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore

/// A request as a fake server saw it.
public struct FakeRequest: Sendable {
    public let method: String
    /// The path as sent, percent-encoding and query included.
    public let uri: String
    public let headers: [String: String]
    public let body: [UInt8]

    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a fake server answers.
public struct FakeResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    public static func text(_ status: Int, _ text: String) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
    }
}

/// An HTTP/1.1 server on 127.0.0.1, port 0, answering every request with `handler`, for
/// contract tests of HTTP peers (credential endpoints, AWS services, `@connections`).
public enum FakeHTTPServer {
    /// Runs `body` with the server's base URL (`http://127.0.0.1:PORT`), then stops it.
    public static func with<Result: Sendable>(
        _ handler: @escaping @Sendable (FakeRequest) async -> FakeResponse,
        _ body: @escaping @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let collected = try await request.body.collect(upTo: 64 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let seen = FakeRequest(method: request.method.rawValue, uri: request.uri.description, headers: headers, body: Array(collected.readableBytesView))
            let answer = await handler(seen)
            var response = Response(status: .init(code: answer.status), body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { response.headers[field] = value }
            }
            return response
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "fake-http", factory: { _ in SwiftLogNoOpLogHandler() }))
        let services = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "fake-http", factory: { _ in SwiftLogNoOpLogHandler() })))
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw FakeServerError() }
            // Shut down gracefully, letting requests still being answered finish.
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body("http://127.0.0.1:\(port)"))
            } catch {
                outcome = .failure(error)
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try outcome.get()
        }
    }

    struct FakeServerError: Error {}
}
