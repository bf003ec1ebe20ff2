import AWSCore
import AsyncHTTPClient
import Foundation
import RouterTestSupport
import Synchronization
import Testing

/// Retries, re-signing and error decoding against a fake service on 127.0.0.1.
@Suite("AWS client")
struct AWSClientTests {
    static func client(_ url: String, attempts: Int = 4) -> AWSClient {
        AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": url]),
            retry: .jitter(base: .milliseconds(5), cap: .milliseconds(20), maxAttempts: attempts))
    }

    static func call(_ url: String, attempts: Int = 4, deadline: Duration = .seconds(10)) async throws(AWSError) -> [UInt8] {
        try await client(url, attempts: attempts).json(.dynamoDB, target: "DynamoDB_20120810.ListTables", body: Array("{}".utf8), region: "us-east-1", deadline: .now + deadline)
    }

    /// Answers with `answers` in turn (the last one repeats), recording each request.
    final class Script: Sendable {
        let answers: [FakeResponse]
        let seen = Mutex<[FakeRequest]>([])
        init(_ answers: [FakeResponse]) { self.answers = answers }
        func answer(_ request: FakeRequest) -> FakeResponse {
            let index = seen.withLock { $0.append(request); return $0.count - 1 }
            return answers[min(index, answers.count - 1)]
        }
    }

    @Test("5xx and throttling are retried, each attempt signed afresh, and the answer returned")
    func retriesTransientErrors() async throws {
        let script = Script([
            .json(500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}"#),
            .json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#),
            .json(200, #"{"TableNames":[]}"#),
        ])
        let answer = try await FakeHTTPServer.with(script.answer) { url in try await Self.call(url) }
        #expect(String(decoding: answer, as: UTF8.self) == #"{"TableNames":[]}"#)
        let seen = script.seen.withLock { $0 }
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIATEST/") == true && $0.header("X-Amz-Date") != nil })
        #expect(seen.allSatisfy { $0.header("X-Amz-Target") == "DynamoDB_20120810.ListTables" && $0.header("Content-Type") == "application/x-amz-json-1.0" })
    }

    @Test("a client error is not retried and is decoded: code, message, status, request id")
    func clientErrorNotRetried() async throws {
        let script = Script([.json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"bad key"}"#, headers: [("x-amzn-RequestId", "REQ123")])])
        do {
            _ = try await FakeHTTPServer.with(script.answer) { url in try await Self.call(url) }
            Issue.record("a ValidationException succeeded")
        } catch let error as AWSError {
            #expect(error == AWSError(code: "ValidationException", message: "bad key", statusCode: 400, requestID: "REQ123"))
            #expect(error.description == "ValidationException: bad key (HTTP 400, request id REQ123)")
        }
        #expect(script.seen.withLock { $0.count } == 1)
    }

    @Test("attempts are bounded")
    func boundedAttempts() async throws {
        let script = Script([.json(503, "{}")])
        await #expect(throws: AWSError.self) { _ = try await FakeHTTPServer.with(script.answer) { url in try await Self.call(url, attempts: 3) } }
        #expect(script.seen.withLock { $0.count } == 3)
    }

    @Test("no retry waits past the deadline")
    func deadline() async throws {
        let script = Script([.json(500, "{}")])
        let client = AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: [:]), retry: .jitter(base: .seconds(2), cap: .seconds(2), maxAttempts: 10))
        // Full jitter may wait almost nothing, so how many attempts fit is random; what is
        // promised is that none starts after the deadline.
        let arrivals = Mutex<[ContinuousClock.Instant]>([])
        let deadline = ContinuousClock.now + .milliseconds(300)
        do {
            _ = try await FakeHTTPServer.with({ request in
                arrivals.withLock { $0.append(.now) }
                return script.answer(request)
            }) { url in
                try await client.send(method: "POST", url: url, path: "/", service: "dynamodb", region: "us-east-1", headers: [], body: [], deadline: deadline)
            }
            Issue.record("succeeded")
        } catch let error as AWSError {
            #expect(["DeadlineExceeded", "HTTP500"].contains(error.code), "\(error)")
        }
        let seen = arrivals.withLock { $0 }
        #expect(!seen.isEmpty && seen.allSatisfy { $0 < deadline }, "every attempt started before the deadline")
    }

    /// AsyncHTTPClient keeps retrying a refused connection until the call's deadline, so the
    /// error arrives at the deadline and says what happened.
    @Test("an unreachable endpoint fails by the deadline with the network error named")
    func networkError() async {
        do {
            _ = try await Self.call("http://127.0.0.1:1", attempts: 2, deadline: .seconds(1))
            Issue.record("an unreachable endpoint answered")
        } catch {
            #expect(["NetworkError", "DeadlineExceeded"].contains(error.code), "\(error)")
            #expect(error.description.contains("Connection refused"), "\(error)")
        }
    }

    @Test("endpoint overrides: per service, then global, then the regional AWS host")
    func endpoints() {
        let both = AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": "http://d", "AWS_ENDPOINT_URL": "http://g"])
        #expect(both.url(service: "DynamoDB", hostPrefix: "dynamodb", region: "us-east-1") == "http://d")
        #expect(both.url(service: "SQS", hostPrefix: "sqs", region: "us-east-1") == "http://g")
        #expect(AWSEndpoints(environment: [:]).url(service: "SQS", hostPrefix: "sqs", region: "cn-north-1") == "https://sqs.cn-north-1.amazonaws.com.cn")
    }
}

/// The Query and REST protocols against real and fake peers.
@Suite("AWS protocols")
struct AWSProtocolTests {
    /// A client whose SNS calls go to the shared moto_server.
    static func snsOnMoto() throws -> AWSClient {
        AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_SNS": try TestPeers.requireMoto()]))
    }

    @Test("Query: SNS CreateTopic and Publish on moto return a topic ARN and a message id")
    func snsPublish() async throws {
        let client = try Self.snsOnMoto()
        let name = "t-\(UUID().uuidString.prefix(8))"
        let created = try await client.query(.sns, action: "CreateTopic", version: "2010-03-31", parameters: [("Name", name)], region: "us-east-1", deadline: .now + .seconds(60))
        let topic = try #require(XMLText.first("TopicArn", in: created))
        #expect(topic == "arn:aws:sns:us-east-1:123456789012:\(name)")
        let published = try await client.query(
            .sns, action: "Publish", version: "2010-03-31",
            parameters: [("TopicArn", topic), ("Message", #"{"users":["a&b"],"data":"<x> & 'y'"}"#)], region: "us-east-1", deadline: .now + .seconds(60))
        #expect(XMLText.first("MessageId", in: published)?.count == 36)
    }

    @Test("Query errors are read from the XML answer")
    func queryError() async throws {
        let client = try Self.snsOnMoto()
        do {
            _ = try await client.query(.sns, action: "Publish", version: "2010-03-31", parameters: [("TopicArn", "arn:aws:sns:us-east-1:123456789012:missing"), ("Message", "x")], region: "us-east-1", deadline: .now + .seconds(60))
            Issue.record("publishing to a missing topic succeeded")
        } catch {
            #expect(error.code == "NotFound", "\(error)")
            #expect(error.statusCode == 404)
        }
    }

    @Test("REST: a management API post keeps the base path, encodes the id and signs for execute-api")
    func restPost() async throws {
        let seen = Mutex<FakeRequest?>(nil)
        _ = try await FakeHTTPServer.with({ request in
            seen.withLock { $0 = request }
            return FakeResponse(status: 200)
        }) { url in
            try await AWSClientTests.client(url).send(
                method: "POST", url: url + "/prod", path: "/@connections/" + URIEncoding.encode("Ab+c/d="), service: "execute-api",
                region: "eu-west-1", headers: [], body: Array(#"{"n":1}"#.utf8), deadline: .now + .seconds(60))
        }
        let request = try #require(seen.withLock { $0 })
        #expect(request.uri == "/prod/@connections/Ab%2Bc%2Fd%3D")
        #expect(request.body == Array(#"{"n":1}"#.utf8))
        #expect(request.header("Authorization")?.contains("/eu-west-1/execute-api/aws4_request") == true)
    }
}
