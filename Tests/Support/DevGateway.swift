import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The real binary's `notification-router dev` on a free port, run in an empty directory so
/// that the built-in default table (and its `dev` environment) is used unless a file is given.
public final class DevGateway: Sendable {
    public let process: RunningProcess
    /// `http://127.0.0.1:PORT`.
    public let url: String

    public init(_ arguments: [String] = [], environment: [String: String] = [:]) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dev-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var environment = environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process = try RunningProcess(
            TestPeers.productsDirectory.appendingPathComponent("notification-router"), ["dev", "--port", "0"] + arguments,
            environment: environment, directory: directory)
        url = try await process.wait(for: "the listening line") { lines in
            lines.first { $0.hasPrefix("notification-router dev: listening on ") }.map { String($0.split(separator: " ").last!) }
        }
    }

    /// `POST /publish` with `request` (and `query`, e.g. `?source=queue`); the HTTP status and
    /// the reports' JSON objects.
    public func publish(_ request: String, query: String = "") async throws -> (status: Int, reports: [[String: Any]]) {
        var post = HTTPClientRequest(url: url + "/publish" + query)
        post.method = .POST
        post.body = .bytes(ByteBuffer(string: request))
        let response = try await HTTPClient.shared.execute(post, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return (Int(response.status.code), object?["reports"] as? [[String: Any]] ?? [])
    }

    /// Any request to the gateway: status, headers and body as text.
    public func request(_ method: HTTPMethod, _ path: String, body: [UInt8] = []) async throws -> (status: Int, headers: HTTPHeaders, text: String) {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), response.headers, text)
    }

    public func stop() {
        process.stop()
    }
}
