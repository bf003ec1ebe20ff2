import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A proxy on 127.0.0.1 in front of an AWS JSON service (moto): it forwards every request
/// as it came and records the calls by `X-Amz-Target` (and when each arrived), so tests can
/// assert how many Queries or BatchWriteItems the router made and how far apart its polls
/// were. A fault can be injected per operation: the next calls answered by the proxy itself.
public final class CountingProxy: Sendable {
    struct Call {
        let operation: String
        let arrived: ContinuousClock.Instant
        let injected: Bool
    }

    struct State {
        var calls: [Call] = []
        /// Per operation, answers to give instead of forwarding, first first.
        var injected: [String: [FakeResponse]] = [:]
    }

    private let state = Mutex(State())
    private let upstream: String

    public init(upstream: String) {
        self.upstream = upstream
    }

    /// The operations called, in order (`Query`, `BatchWriteItem`, …).
    public var operations: [String] { state.withLock { $0.calls.map(\.operation) } }

    /// How many times `operation` was called.
    public func count(_ operation: String) -> Int { operations.filter { $0 == operation }.count }

    /// When each call of `operation` arrived, in order; with `injected`, only the calls the
    /// proxy answered itself (true) or forwarded (false).
    public func arrivals(_ operation: String, injected: Bool? = nil) -> [ContinuousClock.Instant] {
        state.withLock { $0.calls.filter { $0.operation == operation && (injected == nil || $0.injected == injected) }.map(\.arrived) }
    }

    /// The next `count` calls of `operation` are answered `answer` by the proxy; moto never sees them.
    public func inject(_ operation: String, next count: Int, _ answer: FakeResponse) {
        state.withLock { $0.injected[operation, default: []] += Array(repeating: answer, count: count) }
    }

    /// Runs `body` with the proxy's base URL.
    public func run<Result: Sendable>(_ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await FakeHTTPServer.with({ request in await self.forward(request) }, body)
    }

    private func forward(_ request: FakeRequest) async -> FakeResponse {
        if let target = request.header("x-amz-target") {
            let operation = String(target.split(separator: ".").last ?? "")
            let injected = state.withLock { state -> FakeResponse? in
                guard var answers = state.injected[operation], !answers.isEmpty else {
                    state.calls.append(Call(operation: operation, arrived: .now, injected: false))
                    return nil
                }
                state.calls.append(Call(operation: operation, arrived: .now, injected: true))
                let answer = answers.removeFirst()
                state.injected[operation] = answers
                return answer
            }
            if let injected { return injected }
        }
        var outgoing = HTTPClientRequest(url: upstream + request.uri)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers where name != "host" && name != "content-length" { outgoing.headers.add(name: name, value: value) }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
            let headers = response.headers.filter { $0.name.lowercased() != "content-length" && $0.name.lowercased() != "connection" }.map { ($0.name, $0.value) }
            return FakeResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
        } catch {
            return .json(502, #"{"message":"proxy: \#(error)"}"#)
        }
    }
}
