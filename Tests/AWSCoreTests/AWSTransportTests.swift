import AWSCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// ``AWSClient`` over a fake ``AWSTransport``: the seam every AWS call and every post goes through.
@Suite("AWS transport seam")
struct AWSTransportTests {
    /// Answers with `answers` in turn (the last one repeats), recording each request.
    final class FakeTransport: AWSTransport {
        struct NoAnswer: Error {}
        let answers: [Result<Int, NoAnswer>]
        let seen = Mutex<[AWSHTTPRequest]>([])

        init(_ answers: [Result<Int, NoAnswer>]) { self.answers = answers }

        func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse {
            let index = seen.withLock { $0.append(request); return $0.count - 1 }
            let status = try answers[min(index, answers.count - 1)].get()
            return AWSHTTPResponse(status: status, headers: HTTPHeaders([("x-amzn-RequestId", "R\(index)")]), body: ByteBuffer(string: #"{"n":\#(index)}"#))
        }

        var requests: [AWSHTTPRequest] { seen.withLock { $0 } }
    }

    static func client(_ transport: FakeTransport, attempts: Int = 4) -> AWSClient {
        AWSClient(
            transport: transport, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_SQS": "http://fake:9324"]),
            retry: .jitter(base: .milliseconds(1), cap: .milliseconds(5), maxAttempts: attempts))
    }

    @Test("attempt: one signed exchange below the endpoint's base path, any status returned, nothing retried")
    func singleAttempt() async throws {
        let transport = FakeTransport([.success(410)])
        let endpoint = try #require(EndpointURL("https://api.example.com:8443/stage"))
        let request = AWSRequest(method: "POST", path: "/@connections/a%3D", body: ByteBuffer(string: "hi"), payloadHash: SigV4Signer.payloadHash(Array("hi".utf8)))
        let answer = try await Self.client(transport).attempt(
            request, at: endpoint, signer: SigV4Signer(service: "execute-api", region: "eu-west-1"), timeout: .seconds(5), responseLimit: 1024)
        #expect(answer.status == 410 && answer.header("X-AMZN-REQUESTID") == "R0")
        let sent = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(sent.url == "https://api.example.com:8443/stage/@connections/a%3D" && sent.method == "POST")
        #expect(sent.headers.first { $0.name == "Host" }?.value == "api.example.com:8443")
        let authorization = sent.headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIATEST/") && authorization.contains("/eu-west-1/execute-api/aws4_request"), "\(authorization)")
        #expect(sent.body.map { String(buffer: $0) } == "hi")
    }

    @Test("send: retried through the policy while the answer is transient, each attempt signed afresh; the 2xx body returned")
    func sendRetries() async throws {
        let transport = FakeTransport([.failure(.init()), .success(503), .success(200)])
        let body = try await Self.client(transport).json(.sqs, target: "AmazonSQS.ListQueues", body: Array("{}".utf8), region: "us-east-1", deadline: .now + .seconds(30))
        #expect(String(decoding: body, as: UTF8.self) == #"{"n":2}"#)
        #expect(transport.requests.count == 3)
        #expect(transport.requests.allSatisfy { $0.url == "http://fake:9324/" && $0.headers.contains { $0.name == "Authorization" } })
    }

    @Test("send: a transport that never answers ends in NetworkError after the policy's attempts; a 4xx is decoded and not retried")
    func sendFailures() async throws {
        let silent = FakeTransport([.failure(.init())])
        await #expect { try await Self.client(silent, attempts: 2).json(.sqs, target: "AmazonSQS.ListQueues", body: [], region: "us-east-1", deadline: .now + .seconds(30)) }
            throws: { ($0 as? AWSError)?.code == "NetworkError" }
        #expect(silent.requests.count == 2)
        let refused = FakeTransport([.success(400)])
        await #expect { try await Self.client(refused).json(.sqs, target: "AmazonSQS.ListQueues", body: [], region: "us-east-1", deadline: .now + .seconds(30)) }
            throws: { ($0 as? AWSError)?.statusCode == 400 && ($0 as? AWSError)?.requestID == "R0" }
        #expect(refused.requests.count == 1)
    }
}

extension AWSTransportTests {
    @Test("a call cancelled while it waits to retry ends at once as Cancelled, with no further attempt")
    func cancelledDuringBackoff() async throws {
        let transport = FakeTransport([.success(503)])
        let client = AWSClient(
            transport: transport, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_SQS": "http://fake:9324"]),
            retry: .jitter(base: .seconds(30), cap: .seconds(30), maxAttempts: 6))
        let call = Task { try await client.json(.sqs, target: "AmazonSQS.ListQueues", body: [], region: "us-east-1", deadline: .now + .seconds(600)) }
        while transport.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        call.cancel()
        await #expect { try await call.value } throws: { ($0 as? AWSError)?.code == "Cancelled" }
        #expect(transport.requests.count == 1)
    }
}

extension AWSTransportTests {
    /// Temporary credentials that expire `lifetime` after each fetch, a new key each time.
    final class ExpiringProvider: AWSCredentialProvider {
        let lifetime: TimeInterval
        private let count = Mutex(0)
        var fetches: Int { count.withLock { $0 } }

        init(lifetime: TimeInterval) { self.lifetime = lifetime }

        func credentials() async throws -> AWSCredentials {
            let number = count.withLock { $0 += 1; return $0 }
            return AWSCredentials(accessKeyID: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t", expiration: Date().addingTimeInterval(lifetime))
        }
    }

    static func attempts(_ count: Int, lifetime: TimeInterval) async throws -> (fetches: Int, keys: [String]) {
        let transport = FakeTransport([.success(200)])
        let provider = ExpiringProvider(lifetime: lifetime)
        let client = AWSClient(transport: transport, credentials: provider, endpoints: AWSEndpoints(environment: [:]))
        let endpoint = try #require(EndpointURL("https://api.example.com/stage"))
        let signer = SigV4Signer(service: "execute-api", region: "eu-west-1")
        for _ in 0..<count {
            let request = AWSRequest(method: "POST", path: "/@connections/a", body: nil, payloadHash: SigV4Signer.payloadHash([]))
            _ = try await client.attempt(request, at: endpoint, signer: signer, timeout: .seconds(5), responseLimit: 1024)
        }
        let keys = transport.requests.map { request in
            let authorization = request.headers.first { $0.name == "Authorization" }?.value ?? ""
            return String(authorization.split(separator: "=")[1].prefix { $0 != "/" })
        }
        return (provider.fetches, keys)
    }

    @Test("attempts sign with the last credentials while they are valid for more than a minute, without asking the provider again")
    func credentialsKeptWhileValid() async throws {
        let (fetches, keys) = try await Self.attempts(3, lifetime: 3600)
        #expect(fetches == 1)
        #expect(keys == ["ASIA1", "ASIA1", "ASIA1"])
    }

    @Test("credentials that expire within a minute are asked for again before each attempt")
    func credentialsNearExpiryRefetched() async throws {
        let (fetches, keys) = try await Self.attempts(3, lifetime: 30)
        #expect(fetches == 3)
        #expect(keys == ["ASIA1", "ASIA2", "ASIA3"])
    }
}
