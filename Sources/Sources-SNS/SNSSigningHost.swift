import AWSCore
import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Where SNS keeps its signing certificates and subscription links for a topic's region:
/// `sns.<region>.amazonaws.com` (`.amazonaws.com.cn` in China), over HTTPS. A URL in a
/// message (`SigningCertURL`, `SubscribeURL`) is followed only when it is on that host; it
/// is then fetched from the process's SNS endpoint, which is that same host unless
/// `AWS_ENDPOINT_URL_SNS` or `AWS_ENDPOINT_URL` points SNS elsewhere (a local test server).
public struct SNSSigningHost: Sendable {
    public let region: String
    let aws: AWSClient

    public init(region: String, aws: AWSClient) {
        self.region = region
        self.aws = aws
    }

    /// The one host a message's URLs may name.
    public var host: String { Self.host(region: region) }

    public static func host(region: String) -> String {
        AWSEndpoints.host(prefix: AWSService.sns.hostPrefix, region: region)
    }

    /// The path and query items of `url` when it is `https://<host>/…` with no user, port
    /// or fragment; otherwise why not.
    public static func location(of url: String, host: String) throws(SNSRejection) -> (path: String, query: [(String, String)]) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https" else {
            throw .forged(.certificate, "'\(url)' is not an https URL")
        }
        guard components.host?.lowercased() == host, components.user == nil, components.password == nil, components.port == nil,
              components.fragment == nil, components.percentEncodedPath.hasPrefix("/")
        else { throw .forged(.certificate, "'\(url)' is not on \(host), the only host SNS messages for this topic come from") }
        return (components.percentEncodedPath, (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
    }

    /// GETs `url` (checked with ``location(of:host:)``); the body of a 2xx answer. Without an
    /// endpoint override the request goes, unsigned, to `url` itself. With one it goes to the
    /// overriding server, signed like every other SNS call, since local servers route
    /// requests by their signature.
    public func fetch(_ url: String, deadline: ContinuousClock.Instant) async throws -> [UInt8] {
        let location = try Self.location(of: url, host: host)
        let base = aws.endpoints.url(service: AWSService.sns.sdkID, hostPrefix: AWSService.sns.hostPrefix, region: region)
        if base == "https://\(host)" {
            let response = try await aws.transport.send(
                AWSHTTPRequest(method: "GET", url: url, headers: [], body: nil), timeout: deadline - .now, responseLimit: 1 << 20)
            guard (200..<300).contains(response.status) else {
                throw AWSError(code: "HTTP\(response.status)", message: "GET \(url) answered \(response.status)")
            }
            return Array(response.body.readableBytesView)
        }
        return try await aws.send(
            method: "GET", url: base, path: location.path, query: location.query, service: AWSService.sns.signingName, region: region,
            headers: [], body: [], deadline: deadline)
    }
}
