import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// ``AWSTransport`` over AsyncHTTPClient: the process's one connection pool.
public struct HTTPClientTransport: AWSTransport {
    public let httpClient: HTTPClient

    public init(_ httpClient: HTTPClient) {
        self.httpClient = httpClient
    }

    public func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(body) }
        let response = try await httpClient.execute(outgoing, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: responseLimit)
        return AWSHTTPResponse(status: Int(response.status.code), headers: response.headers, body: body)
    }
}
