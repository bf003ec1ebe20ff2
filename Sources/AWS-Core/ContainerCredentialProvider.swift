import AsyncHTTPClient
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1

/// ECS task roles and EKS Pod Identity: credentials from `AWS_CONTAINER_CREDENTIALS_FULL_URI`
/// (https, or a loopback / ECS / EKS link-local host) or `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (on `http://169.254.170.2`), with the `Authorization` header from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch, as EKS rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]
    let httpClient: HTTPClient
    let logger: Logger

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient,
        logger: Logger = Logger(label: "notification-router.credentials")
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.logger = logger
    }

    static let allowedHosts: Set = ["127.0.0.1", "localhost", "::1", "[::1]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "fd00:ec2::23"]

    public func credentials() async throws -> AWSCredentials {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard let components = URLComponents(string: full), let host = components.host,
                  components.scheme == "https" || (components.scheme == "http" && (Self.allowedHosts.contains(host) || host.hasPrefix("127.")))
            else {
                throw AWSError(code: "InvalidContainerCredentialsURI", message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback, ECS or EKS host")
            }
            url = full
        } else {
            throw AWSError(code: "CredentialsNotFound", message: "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
        }
        var request = HTTPClientRequest(url: url)
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !tokenFile.isEmpty {
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSError(code: "CredentialsNotFound", message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            request.headers.add(name: "Authorization", value: INIFile.trimmed(token))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            request.headers.add(name: "Authorization", value: token)
        }
        let body = try await CredentialEndpoint.fetch(request, client: httpClient, source: "container credentials endpoint")
        return try CredentialEndpoint.decode(body, source: "container credentials endpoint", logger: logger)
    }
}

/// The JSON both the container endpoint and IMDS answer with, and the fetch they share.
enum CredentialEndpoint {
    struct Document: Decodable {
        let AccessKeyId: String
        let SecretAccessKey: String
        let Token: String?
        let Expiration: String?
    }

    static func fetch(_ request: HTTPClientRequest, client: HTTPClient, source: String, timeout: TimeAmount = .seconds(5)) async throws -> [UInt8] {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = Array(try await response.body.collect(upTo: 1024 * 1024).readableBytesView)
            guard response.status.code == 200 else {
                throw AWSError(code: "CredentialsNotFound", message: "\(source) answered HTTP \(response.status.code)", statusCode: Int(response.status.code))
            }
            return body
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(code: "CredentialsNotFound", message: "\(source) unreachable: \(error)")
        }
    }

    /// How long credentials whose `Expiration` cannot be read are used before they are
    /// fetched again (never forever: temporary credentials always expire).
    static let unreadableExpirationLifetime: TimeInterval = 300

    static func decode(_ body: [UInt8], source: String, now: Date = Date(), logger: Logger) throws -> AWSCredentials {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(body)) else {
            throw AWSError(code: "InvalidCredentials", message: "\(source) answered without AccessKeyId and SecretAccessKey")
        }
        var expiration = document.Expiration.flatMap { try? Date($0, strategy: .iso8601) }
        if let text = document.Expiration, expiration == nil {
            expiration = now.addingTimeInterval(unreadableExpirationLifetime)
            logger.warning(
                "credentials_expiration_unreadable: \(source) answered Expiration '\(text.prefix(64))', which is not ISO 8601; the credentials are used for 5 minutes, then fetched again")
        }
        return AWSCredentials(accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey, sessionToken: document.Token, expiration: expiration)
    }
}
