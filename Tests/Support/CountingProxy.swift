import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A proxy on 127.0.0.1 in front of an AWS JSON service (moto): it forwards every request
/// as it came and counts the calls by `X-Amz-Target`, so tests can assert how many Queries or
/// BatchWriteItems the router made.
public final class CountingProxy: Sendable {
    private let calls = Mutex<[String]>([])
    private let upstream: String

    public init(upstream: String) {
        self.upstream = upstream
    }

    /// The operations called, in order (`Query`, `BatchWriteItem`, …).
    public var operations: [String] { calls.withLock { $0 } }

    /// How many times `operation` was called.
    public func count(_ operation: String) -> Int { operations.filter { $0 == operation }.count }

    /// Runs `body` with the proxy's base URL.
    public func run<Result: Sendable>(_ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await FakeHTTPServer.with({ request in await self.forward(request) }, body)
    }

    private func forward(_ request: FakeRequest) async -> FakeResponse {
        if let target = request.header("x-amz-target") {
            calls.withLock { $0.append(String(target.split(separator: ".").last ?? "")) }
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
