@testable import AWSCore
import Logging
import AsyncHTTPClient
import Foundation
import RouterTestSupport
import Synchronization
import Testing

@Suite("Credential providers")
struct CredentialProviderTests {
    static let document = #"{"AccessKeyId":"ASIAFAKE","SecretAccessKey":"secret","Token":"session","Expiration":"2030-01-01T00:00:00Z"}"#

    @Test("environment: keys with and without a session token")
    func environment() async throws {
        let keys = try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"]).credentials()
        #expect(keys == AWSCredentials(accessKeyID: "AKIA1", secretAccessKey: "s", sessionToken: "t"))
        await #expect(throws: AWSError.self) { try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIA1"]).credentials() }
    }

    @Test("shared files: the profile's keys, the credentials file first, the region from config")
    func sharedFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret
            # a comment
            [dev]
            aws_access_key_id=AKIADEV
            aws_secret_access_key = dev-secret
            aws_session_token = dev-token
            """.write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try """
            [profile dev]
            region = eu-north-1
            [profile config-only]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = config-secret
            """.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        var environment = ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
                           "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path]
        #expect(try await SharedConfigCredentialProvider(environment: environment).credentials().accessKeyID == "AKIADEFAULT")
        environment["AWS_PROFILE"] = "dev"
        let dev = SharedConfigCredentialProvider(environment: environment)
        #expect(try await dev.credentials() == AWSCredentials(accessKeyID: "AKIADEV", secretAccessKey: "dev-secret", sessionToken: "dev-token"))
        #expect(AWSRegion.resolve(environment: environment) == "eu-north-1")
        #expect(AWSRegion.resolve(environment: environment.merging(["AWS_REGION": "us-west-1"]) { $1 }) == "us-west-1")
        environment["AWS_PROFILE"] = "config-only"
        #expect(try await SharedConfigCredentialProvider(environment: environment).credentials().accessKeyID == "AKIACONFIG")
        environment["AWS_PROFILE"] = "missing"
        await #expect(throws: AWSError.self) { try await SharedConfigCredentialProvider(environment: environment).credentials() }
    }

    @Test("container endpoint: the full URI with the token file's Authorization header")
    func container() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())")
        try "eks-pod-identity-token\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let keys = try await FakeHTTPServer.with({ request in
            guard request.path == "/v1/credentials", request.header("Authorization") == "eks-pod-identity-token" else { return .text(401, "no") }
            return .json(200, Self.document)
        }) { url in
            try await ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path],
                httpClient: .shared).credentials()
        }
        #expect(keys.accessKeyID == "ASIAFAKE" && keys.sessionToken == "session")
        #expect(keys.expiration == Date(timeIntervalSince1970: 1_893_456_000))
    }

    @Test("container endpoint: the token variable, and a full URI on a foreign host refused")
    func containerTokenAndHosts() async throws {
        let keys = try await FakeHTTPServer.with({ request in
            request.header("Authorization") == "Basic abc" ? .json(200, Self.document) : .text(401, "no")
        }) { url in
            try await ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic abc"],
                httpClient: .shared).credentials()
        }
        #expect(keys.secretAccessKey == "secret")
        do {
            _ = try await ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"], httpClient: .shared).credentials()
            Issue.record("a foreign host was accepted")
        } catch let error as AWSError {
            #expect(error.code == "InvalidContainerCredentialsURI")
        }
    }

    @Test("IMDSv2: token, role, credentials, with the token on every read")
    func instanceMetadata() async throws {
        let keys = try await FakeHTTPServer.with({ request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" ? .text(200, "imds-token") : .text(400, "ttl")
            case (_, _) where request.header("X-aws-ec2-metadata-token") != "imds-token":
                return .text(401, "token required")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .text(200, "router-role\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/router-role"):
                return .json(200, #"{"Code":"Success","LastUpdated":"2029-12-31T00:00:00Z","Type":"AWS-HMAC","#
                    + #""AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-session","Expiration":"2030-01-01T00:00:00Z"}"#)
            default:
                return .text(404, "not found")
            }
        }) { url in
            // A generous timeout: a loaded CI machine may not answer the fake within the default second.
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": url], httpClient: .shared, timeout: .seconds(30)).credentials()
        }
        #expect(keys == AWSCredentials(accessKeyID: "ASIAIMDS", secretAccessKey: "imds-secret", sessionToken: "imds-session", expiration: Date(timeIntervalSince1970: 1_893_456_000)))
        await #expect(throws: AWSError.self) {
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_DISABLED": "true"], httpClient: .shared).credentials()
        }
    }

    @Test("the chain takes the first provider with credentials and explains when none has any")
    func chain() async throws {
        let chain = CredentialProviderChain([
            ("environment", EnvironmentCredentialProvider(environment: [:])),
            ("static", StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIASTATIC", secretAccessKey: "s"))),
        ])
        #expect(try await chain.credentials().accessKeyID == "AKIASTATIC")
        do {
            _ = try await CredentialProviderChain([("environment", EnvironmentCredentialProvider(environment: [:]))]).credentials()
            Issue.record("an empty chain returned credentials")
        } catch let error as AWSError {
            #expect(error.message == "no AWS credentials found (environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set)")
        }
    }

    @Test("caching: one fetch while valid, a refresh before expiry, concurrent callers share it")
    func caching() async throws {
        let counter = CountingProvider()
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let cache = CachingCredentialProvider(counter, refreshMargin: 300, now: { clock.withLock { $0 } })
        counter.hold()
        let first = Task { try await cache.credentials() }
        while counter.fetches == 0 { try await Task.sleep(for: .milliseconds(1)) }
        // The fetch is held open: a second caller now finds it in flight (given time to get there).
        let second = Task { try await cache.credentials() }
        try await Task.sleep(for: .milliseconds(100))
        counter.release()
        #expect(try await first.value == second.value)
        _ = try await cache.credentials()
        #expect(counter.fetches == 1, "concurrent callers shared one fetch")
        clock.withLock { $0 += 3600 - 299 }  // within the margin of the 1-hour expiry
        _ = try await cache.credentials()
        #expect(counter.fetches == 2)
    }
}

extension CredentialProviderTests {
    @Test("a refresh that fails while the cached credentials are valid keeps them in use and is tried again later; expired ones fail")
    func refreshFailureKeepsValidCredentials() async throws {
        let source = FlakyProvider()
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let cache = CachingCredentialProvider(source, refreshMargin: 300, retryAfter: 10, now: { clock.withLock { $0 } })
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        source.failing.withLock { $0 = true }
        clock.withLock { $0 += 3600 - 200 }  // within the refresh margin, still valid
        #expect(try await cache.credentials().accessKeyID == "ASIA1", "the failed refresh falls back to the valid credentials")
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        #expect(source.calls == 2, "no second refresh within retryAfter")
        clock.withLock { $0 += 11 }
        _ = try await cache.credentials()
        #expect(source.calls == 3, "tried again after retryAfter")
        clock.withLock { $0 += 200 }  // now expired
        await #expect(throws: AWSError.self) { try await cache.credentials() }
        source.failing.withLock { $0 = false }
        #expect(try await cache.credentials().accessKeyID == "ASIA5")
    }

    @Test("an Expiration that cannot be read is not cached forever: 5 minutes, and a warning")
    func unreadableExpiration() throws {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "test") { _ in RecordingLogHandler { line in lines.withLock { $0.append(line) } } }
        let now = Date(timeIntervalSince1970: 1_000_000)
        let body = Array(#"{"AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"next tuesday"}"#.utf8)
        let credentials = try CredentialEndpoint.decode(body, source: "container credentials endpoint", now: now, logger: logger)
        #expect(credentials.expiration == now.addingTimeInterval(300))
        #expect(lines.withLock { $0 }.contains { $0.contains("credentials_expiration_unreadable") && $0.contains("next tuesday") })
    }
}

/// Valid for an hour from 1,000,000 s, with a new key each call; throws while `failing`.
final class FlakyProvider: AWSCredentialProvider {
    let failing = Mutex(false)
    private let count = Mutex(0)
    var calls: Int { count.withLock { $0 } }

    func credentials() async throws -> AWSCredentials {
        let number = count.withLock { $0 += 1; return $0 }
        if failing.withLock({ $0 }) { throw AWSError(code: "CredentialsNotFound", message: "endpoint down") }
        return AWSCredentials(accessKeyID: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t", expiration: Date(timeIntervalSince1970: 1_000_000 + 3600 * Double(number)))
    }
}

/// A log handler that hands each message to `record`.
struct RecordingLogHandler: LogHandler {
    let record: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { record(event.message.description) }
}

/// Temporary credentials valid for an hour from 1,000,000 s, counting fetches.
/// ``hold()`` keeps the next fetches open until ``release()``.
final class CountingProvider: AWSCredentialProvider {
    private let count = Mutex(0)
    private let held = Mutex(false)
    var fetches: Int { count.withLock { $0 } }

    func hold() { held.withLock { $0 = true } }
    func release() { held.withLock { $0 = false } }

    func credentials() async throws -> AWSCredentials {
        let number = count.withLock { $0 += 1; return $0 }
        while held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        return AWSCredentials(accessKeyID: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t", expiration: Date(timeIntervalSince1970: 1_000_000 + 3600 * Double(number)))
    }
}
