import AWSCore
import AsyncHTTPClient
import DynamoStore
import Foundation
import Logging
import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// One user's refused key does not fail the read of the others.
@Suite("DynamoDB: users whose keys are refused")
struct UnreadUsersTests {
    /// Query answers two connections per user, `ValidationException` for `refused`, and
    /// `ResourceNotFoundException` for everything when `missingTable`.
    static func fakeDynamo(refused: String, missingTable: Bool = false) -> @Sendable (FakeRequest) async -> FakeResponse {
        { request in
            guard !missingTable else { return .json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}"#) }
            let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            let user = ((object["ExpressionAttributeValues"] as? [String: Any])?[":u"] as? [String: String])?["S"] ?? ""
            if user == refused {
                return .json(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"key too large"}"#)
            }
            let items = (1...2).map { #"{"user_id":{"S":"\#(user)"},"connection_id":{"S":"\#(user)-\#($0)"}}"# }
            return .json(200, #"{"Items":[\#(items.joined(separator: ","))],"Count":2}"#)
        }
    }

    static func store(_ url: String) throws -> DynamoConnectionStore {
        let aws = AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "s")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": url]), retry: .jitter(base: .milliseconds(1), cap: .milliseconds(2), maxAttempts: 2))
        return DynamoConnectionStore(configuration: try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: conns"), aws: aws, region: "us-east-1")
    }

    @Test("the other users are read; the refused one is named in UnreadUsers")
    func oneUserRefused() async throws {
        let read = Mutex<[String]>([])
        let error = try await FakeHTTPServer.with(Self.fakeDynamo(refused: "bad")) { url in
            do {
                try await Self.store(url).connections(of: ["alice", "bad", "bob"]).forEach { batch in read.withLock { $0 += batch.map(\.connectionID) } }
                return nil as UnreadUsers?
            } catch let error as UnreadUsers {
                return error
            }
        }
        #expect(read.withLock { $0 }.sorted() == ["alice-1", "alice-2", "bob-1", "bob-2"])
        #expect(error?.reasons.keys.sorted() == ["bad"] && error?.reasons["bad"]?.contains("key too large") == true)
    }

    @Test("an error that is not one user's (a missing table) fails the whole read")
    func tableMissing() async throws {
        _ = try await FakeHTTPServer.with(Self.fakeDynamo(refused: "", missingTable: true)) { url in
            await #expect(throws: DynamoStoreError.self) { try await Self.store(url).connections(of: ["alice", "bob"]).forEach { _ in } }
        }
    }

    @Test("a batch over the fake DynamoDB: the request naming the refused user is retried, the others complete")
    func batchIsolation() async throws {
        let sink = RecordingSink()
        let reports = try await FakeHTTPServer.with(Self.fakeDynamo(refused: "bad")) { url in
            let pipeline = Pipeline(route: "main", stages: [], store: try Self.store(url), sink: sink)
            return await pipeline.deliver([
                Pipeline.Message(body: Array(#"{"users":["bad","alice"],"data":1}"#.utf8), messageID: "a"),
                Pipeline.Message(body: Array(#"{"users":["bob"],"data":2}"#.utf8), messageID: "b"),
            ], deadline: .now + .seconds(30), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        #expect(reports.map(\.needsRetry) == [true, false])
        #expect(reports[1].delivered == 2 && reports[0].delivered == 2, "alice's and bob's connections were still posted to")
        #expect(sink.receivers == ["alice-1", "alice-2", "bob-1", "bob-2"])
    }
}
