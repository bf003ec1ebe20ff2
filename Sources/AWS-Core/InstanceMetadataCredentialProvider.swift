import AsyncHTTPClient
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1

/// EC2 instance roles through IMDSv2: a session token (`PUT /latest/api/token`), the role
/// name, then the role's credentials. `AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides the
/// endpoint (default `http://169.254.169.254`); `AWS_EC2_METADATA_DISABLED=true` turns it off.
/// Each metadata call may take `timeout` (1 s by default, as in the AWS SDKs), so off EC2 the
/// chain moves on quickly.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]
    let httpClient: HTTPClient
    let timeout: Duration
    let logger: Logger

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient, timeout: Duration = .seconds(1),
        logger: Logger = Logger(label: "notification-router.credentials")
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    public func credentials() async throws -> AWSCredentials {
        guard environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" else {
            throw AWSError(code: "CredentialsNotFound", message: "AWS_EC2_METADATA_DISABLED is true")
        }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        let source = "instance metadata service (\(base))"
        var tokenRequest = HTTPClientRequest(url: base + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        let token = String(decoding: try await CredentialEndpoint.fetch(tokenRequest, client: httpClient, source: source, timeout: TimeAmount(timeout)), as: UTF8.self)

        var roleRequest = HTTPClientRequest(url: base + "/latest/meta-data/iam/security-credentials/")
        roleRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        let roles = String(decoding: try await CredentialEndpoint.fetch(roleRequest, client: httpClient, source: source, timeout: TimeAmount(timeout)), as: UTF8.self)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw AWSError(code: "CredentialsNotFound", message: "\(source) lists no instance role")
        }
        var credentialsRequest = HTTPClientRequest(url: base + "/latest/meta-data/iam/security-credentials/" + URIEncoding.encode(role))
        credentialsRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        return try CredentialEndpoint.decode(try await CredentialEndpoint.fetch(credentialsRequest, client: httpClient, source: source, timeout: TimeAmount(timeout)), source: source, logger: logger)
    }
}
