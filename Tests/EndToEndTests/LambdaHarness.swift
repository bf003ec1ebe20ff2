import Foundation
import RouterTestSupport

/// The real binary as a Lambda `bootstrap` (no arguments, `AWS_LAMBDA_RUNTIME_API` set) under
/// the fake Runtime API, with its connection table on moto and the fake `@connections` server
/// as API Gateway.
struct LambdaHarness {
    let runtime: FakeRuntimeAPI
    let connections: FakeConnectionsServer
    let table: String
    let process: RunningProcess
    /// Every DynamoDB call the function made, counted on the way to moto.
    let dynamo: CountingProxy

    static let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router")
    static let queueARN = "arn:aws:sqs:us-east-1:123456789012:notifications"
    static let topicARN = "arn:aws:sns:us-east-1:123456789012:notifications"

    /// Creates a table holding `connections` (user → connection ids), starts the bootstrap and
    /// runs `body`. `routes`, when given, is written as `routes.yaml` in the working directory.
    static func with<Result: Sendable>(
        connections: [String: [String]], routes: String? = nil, environment extra: [String: String] = [:],
        _ body: @escaping @Sendable (LambdaHarness) async throws -> Result
    ) async throws -> Result {
        let table = "conns-\(UUID().uuidString.prefix(8))"
        try MotoScripts.createTable(table, connections)
        let server = FakeConnectionsServer(live: connections.values.flatMap { $0 })
        let runtime = FakeRuntimeAPI()
        let dynamo = CountingProxy(upstream: try TestPeers.requireMoto())
        return try await server.run { connectionsURL in
          try await dynamo.run { dynamoURL in
            try await runtime.run { api in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-\(UUID())")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                if let routes { try routes.write(to: directory.appendingPathComponent("routes.yaml"), atomically: true, encoding: .utf8) }
                var environment = [
                    "AWS_LAMBDA_RUNTIME_API": api, "APIGW_ENDPOINT": connectionsURL, "CONNECTIONS_TABLE_NAME": table,
                    "AWS_ENDPOINT_URL_DYNAMODB": dynamoURL, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_REGION": "us-east-1", "HOME": directory.path, "LOG_LEVEL": "debug",
                ]
                environment.merge(extra) { $1 }
                let process = try RunningProcess(binary, [], environment: environment, directory: directory)
                defer { process.stop() }
                return try await body(LambdaHarness(runtime: runtime, connections: server, table: table, process: process, dynamo: dynamo))
            }
          }
        }
    }

    /// Every item of the table: user, connection id, and the numbers written with it.
    func items() throws -> [[String: String]] {
        try MotoScripts.items(table)
    }

    /// The connection ids left in the table.
    func connectionIDs() throws -> Set<String> {
        Set(try items().compactMap { $0["connection_id"] })
    }

    /// The Embedded Metric Format objects the function printed for `route`.
    func metrics(route: String) -> [[String: Any]] {
        process.lines.compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["_aws"] != nil,
                  object["Route"] as? String == route
            else { return nil }
            return object
        }
    }

    /// Payloads each connection received, as text.
    func received() -> [String: [String]] {
        connections.received.mapValues { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    static func sqsEvent(_ records: [(id: String, body: String)], queueARN: String = queueARN) -> String {
        let list = records.map { record in
            [
                "messageId": record.id, "receiptHandle": "rh-\(record.id)", "body": record.body,
                "attributes": ["ApproximateReceiveCount": "1", "SentTimestamp": "1764403200000"], "messageAttributes": [String: Any](),
                "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queueARN, "awsRegion": "us-east-1",
            ] as [String: Any]
        }
        return String(decoding: try! JSONSerialization.data(withJSONObject: ["Records": list]), as: UTF8.self)
    }

    static func snsEvent(_ message: String, id: String = UUID().uuidString, topicARN: String = topicARN) -> String {
        let record: [String: Any] = [
            "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": topicARN + ":sub",
            "Sns": [
                "Type": "Notification", "MessageId": id, "TopicArn": topicARN, "Subject": NSNull(), "Message": message,
                "Timestamp": "2026-11-29T08:00:00.000Z", "SignatureVersion": "1", "MessageAttributes": [String: Any](),
            ] as [String: Any],
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: ["Records": [record]]), as: UTF8.self)
    }
}
