import AWSCore
import DynamoStore
import NIOCore
import NIOHTTP1
import RouterCore
import Testing

/// How the store reads a Scan answer that moto does not write: members it does not need,
/// attribute types it does not use, escapes, and an answer that is not JSON.
@Suite struct DynamoPageTests {
    /// Answers every call with `body`.
    struct CannedTransport: AWSTransport {
        let body: String

        func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse {
            AWSHTTPResponse(status: 200, headers: [:], body: ByteBuffer(string: body))
        }
    }

    static func store(answering body: String, options: String = "table: conns") throws -> DynamoConnectionStore {
        var mapping = try ConfigValue.load(yaml: options, file: "test").mapping()
        let configuration = try DynamoStoreConfiguration(options: &mapping)
        let aws = AWSClient(
            transport: CannedTransport(body: body),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1"]))
        return DynamoConnectionStore(configuration: configuration, aws: aws, region: "eu-west-1")
    }

    @Test("items keep their string user and connection id; other members, types and items without both are passed over")
    func readsWhatItNeeds() async throws {
        let answer = #"""
            {"ConsumedCapacity": {"TableName": "conns", "CapacityUnits": 0.5},
             "Count": 4, "ScannedCount": 5,
             "Items": [
               {"user_id": {"S": "alice"}, "connection_id": {"S": "A1="}, "extra": {"L": [{"M": {"x": {"BOOL": true}}}, {"NULL": true}]}},
               {"connection_id": {"S": "B\/2\u00e9"}, "user_id": {"S": "b\"ob"}},
               {"user_id": {"S": "carol"}},
               {"user_id": {"N": "7"}, "connection_id": {"S": "C3"}},
               {"user_id": {"S": "dave"}, "connection_id": {"B": "AAE="}}
             ],
             "LastEvaluatedKey": {"user_id": {"S": "b\"ob"}, "connection_id": {"S": "B/2é"}}}
            """#
        let page = try await Self.store(answering: answer).scanPage(segment: 0, of: 1, after: nil)
        #expect(page.connections == [Connection(userID: "alice", connectionID: "A1="), Connection(userID: "b\"ob", connectionID: "B/2é")])
        let next = try #require(page.next)
        #expect(next.contains(#""S":"b\"ob""#))
        #expect(next.contains(#""S":"B/2é""#) || next.contains(#""S":"B\/2é""#))
    }

    @Test("the last page has no cursor; an empty page reads as no connections")
    func lastPage() async throws {
        let page = try await Self.store(answering: #"{"Items": [], "Count": 0}"#).scanPage(segment: 2, of: 4, after: nil)
        #expect(page.connections.isEmpty)
        #expect(page.next == nil)
    }

    @Test("an answer that is not JSON fails with InvalidResponse, naming table, region and operation", arguments: [
        #"{"Items": [{"user_id": {"S": "a"}]"#, #"{"Items": [] } trailing"#, "<html>busy</html>",
    ])
    func malformed(answer: String) async throws {
        do {
            _ = try await Self.store(answering: answer).scanPage(segment: 0, of: 1, after: nil)
            Issue.record("a malformed answer was accepted")
        } catch let error as DynamoStoreError {
            #expect(error.underlying.code == "InvalidResponse")
            #expect("\(error)".contains("conns"))
            #expect("\(error)".contains("eu-west-1"))
            #expect("\(error)".contains("Scan"))
        }
    }
}
