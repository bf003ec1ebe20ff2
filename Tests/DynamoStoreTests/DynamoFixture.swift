import AWSCore
import AsyncHTTPClient
import DynamoStore
import Foundation
import RouterCore
import RouterTestSupport
import Synchronization

/// A fresh table on the shared moto_server for one test, and the store's plumbing.
struct DynamoFixture {
    let aws: AWSClient
    let table: String
    static let region = "us-east-1"

    /// Creates a table named uniquely for this test, keys `hash` and `range` (strings).
    init(hash: String = "user_id", range: String = "connection_id") async throws {
        let moto = try TestPeers.requireMoto()
        aws = AWSClient(
            httpClient: .shared, credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "test", secretAccessKey: "test")),
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": moto]))
        table = "t-" + UUID().uuidString.prefix(13).lowercased()
        _ = try await raw("CreateTable", """
            {"TableName":"\(table)","BillingMode":"PAY_PER_REQUEST",
             "AttributeDefinitions":[{"AttributeName":"\(hash)","AttributeType":"S"},{"AttributeName":"\(range)","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"\(hash)","KeyType":"HASH"},{"AttributeName":"\(range)","KeyType":"RANGE"}]}
            """)
    }

    /// A DynamoDB call with a hand-written JSON body; the answer as text.
    func raw(_ operation: String, _ json: String) async throws -> String {
        let answer = try await aws.json(.dynamoDB, target: "DynamoDB_20120810.\(operation)", body: Array(json.utf8), region: Self.region, deadline: .now + .seconds(20))
        return String(decoding: answer, as: UTF8.self)
    }

    /// Every item's key, read with a plain Scan.
    func keys(hash: String = "user_id", range: String = "connection_id") async throws -> Set<Connection> {
        let answer = try await raw("Scan", #"{"TableName":"\#(table)"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        let items = object?["Items"] as? [[String: [String: String]]] ?? []
        return Set(items.compactMap { item in
            guard let user = item[hash]?["S"], let id = item[range]?["S"] else { return nil }
            return Connection(userID: user, connectionID: id)
        })
    }

    func configuration(_ extra: String = "") throws -> DynamoStoreConfiguration {
        try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: \(table)\n" + extra)
    }

    /// A store on the table; with `endpoint` (a proxy in front of moto), its calls go there.
    func store(
        _ extra: String = "", pageLimit: Int? = nil, endpoint: String? = nil, now: @escaping @Sendable () -> Date = Date.init
    ) throws -> DynamoConnectionStore {
        let client = endpoint.map { url in
            AWSClient(httpClient: .shared, credentials: aws.credentials, endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": url]))
        } ?? aws
        return DynamoConnectionStore(configuration: try configuration(extra), aws: client, region: Self.region, pageLimit: pageLimit, now: now)
    }
}

extension ConnectionBatches {
    /// Every batch, in arrival order (for tests).
    func collect() async throws -> [[Connection]] {
        let batches = Mutex<[[Connection]]>([])
        try await forEach { batch in batches.withLock { $0.append(batch) } }
        return batches.withLock { $0 }
    }
}
