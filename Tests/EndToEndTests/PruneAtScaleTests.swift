import AWSCore
import APIGatewaySink
import AsyncHTTPClient
import DynamoStore
import Foundation
import Logging
import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// A broadcast over a DynamoDB table (a fake service serving Scan segments and recording
/// BatchWriteItem) to the fake `@connections` server: 10,000 posts, 5% of them gone.
@Suite("Pruning at scale")
struct PruneAtScaleTests {
    static let segments = 4
    static let perSegment = 2_500

    static func id(_ segment: Int, _ index: Int) -> String { "c\(segment)-\(index)=" }

    /// Scan answers one page per segment; BatchWriteItem records its keys.
    static func fakeDynamo(_ deletes: DeleteLog) -> @Sendable (FakeRequest) async -> FakeResponse {
        { request in
            let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            switch request.header("X-Amz-Target") {
            case "DynamoDB_20120810.Scan":
                // Two pages per segment: the second starts after the first's LastEvaluatedKey.
                deletes.scans.withLock { $0 += 1 }
                let segment = object["Segment"] as? Int ?? 0
                let half = perSegment / 2
                let isSecond = object["ExclusiveStartKey"] != nil
                let range = isSecond ? half..<perSegment : 0..<half
                let items = range.map { #"{"user_id":{"S":"u\#($0 % 97)"},"connection_id":{"S":"\#(id(segment, $0))"}}"# }
                let next = isSecond ? "" : #","LastEvaluatedKey":{"user_id":{"S":"u"},"connection_id":{"S":"\#(id(segment, half - 1))"}}"#
                return .json(200, #"{"Items":[\#(items.joined(separator: ","))],"Count":\#(items.count)\#(next)}"#)
            case "DynamoDB_20120810.BatchWriteItem":
                let requests = (object["RequestItems"] as? [String: [[String: Any]]])?["conns"] ?? []
                let ids = requests.compactMap { (($0["DeleteRequest"] as? [String: Any])?["Key"] as? [String: [String: String]])?["connection_id"]?["S"] }
                deletes.calls.withLock { $0.append(ids) }
                return .json(200, #"{"UnprocessedItems":{}}"#)
            default:
                return .json(400, #"{"__type":"ValidationException","message":"unexpected call"}"#)
            }
        }
    }

    @Test("10,000 posts with 5% gone: exactly those are pruned, in batches of at most 25")
    func fivePercentGone() async throws {
        let all = (0..<Self.segments).flatMap { segment in (0..<Self.perSegment).map { Self.id(segment, $0) } }
        let gone = Set(all.enumerated().filter { $0.offset % 20 == 7 }.map(\.element))
        let server = FakeConnectionsServer(live: all.filter { !gone.contains($0) })
        let deletes = DeleteLog()
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let credentials = StaticCredentialProvider(AWSCredentials(accessKeyID: "A", secretAccessKey: "s"))

        let report = try await FakeHTTPServer.with(Self.fakeDynamo(deletes)) { dynamo in
            try await server.run { sinkURL in
                let aws = AWSClient(httpClient: httpClient, credentials: credentials, endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": dynamo]))
                let store = DynamoConnectionStore(
                    configuration: try ConfigFixture.configuration(DynamoStoreConfiguration.self, "table: conns\nscan_segments: \(Self.segments)"),
                    aws: aws, region: "us-east-1")
                let sink = try APIGatewaySink(
                    configuration: try ConfigFixture.configuration(APIGatewaySinkConfiguration.self, "endpoint: \(sinkURL)\nregion: us-east-1\nmax_in_flight: 64"),
                    aws: aws, region: "us-east-1")
                let pipeline = Pipeline(route: "scale", stages: [DedupeStage(), ExcludeStage()], store: store, sink: sink)
                return await pipeline.deliver(Array(#"{"data":{"k":"v"}}"#.utf8), deadline: .now + .seconds(600), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            }
        }
        try await httpClient.shutdown()
        #expect(report.outcome == DeliveryReport.Outcome.completed)
        #expect(report.delivered == 9_500 && report.gone == 500 && report.pruned == 500)
        #expect(server.received.count == 9_500)
        let calls = deletes.calls.withLock { $0 }
        #expect(calls.allSatisfy { $0.count <= 25 })
        #expect(Set(calls.flatMap { $0 }) == gone && calls.flatMap { $0 }.count == 500)
        #expect(deletes.scans.withLock { $0 } == Self.segments * 2, "every segment read both its pages")
    }
}

/// The keys of every BatchWriteItem call the fake DynamoDB received.
final class DeleteLog: Sendable {
    let calls = Mutex<[[String]]>([])
    /// Scan pages served.
    let scans = Mutex(0)
}
