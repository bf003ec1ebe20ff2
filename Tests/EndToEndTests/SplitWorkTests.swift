import Foundation
import RouterTestSupport
import Testing

/// Split routes across processes on real peers: the request and work queues and the
/// connection table on moto, the fake `@connections` server, and the real binary.
@Suite("split work across processes")
struct SplitWorkTests {
    /// 150 users with two connections each.
    static let connections = Dictionary(uniqueKeysWithValues: (0..<150).map { ("s\($0)", ["s\($0)-a", "s\($0)-b"]) })

    /// The request queue (standard), the work queue (FIFO), the table; their names and URLs.
    static func peers(_ name: String) throws -> (queue: String, work: String) {
        try MotoScripts.createTable(name, connections)
        let created = try MotoScripts.run("""
            q = sqs.create_queue(QueueName="\(name)")["QueueUrl"]
            w = sqs.create_queue(QueueName="\(name)-work.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
            print(json.dumps([q, w]))
            """)
        let urls = try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String] ?? []
        return (urls[0], urls[1])
    }

    static func queued(_ url: String) throws -> Int {
        let text = try MotoScripts.run("""
            a = sqs.get_queue_attributes(QueueUrl="\(url)", AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            print(int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]))
            """)
        return Int(text) ?? -1
    }

    @Test("two daemons share a broadcast cut into 4 segments: tasks continue at page boundaries, every connection gets it once, both queues end empty")
    func twoDaemons() async throws {
        let name = "split-\(UUID().uuidString.prefix(8))"
        let (queue, work) = try Self.peers(name)
        let server = FakeConnectionsServer(live: Self.connections.values.flatMap { $0 })
        try await server.run { sinkURL in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // 50 posts/s per daemon and pages of 15: a page takes 0.3 s or more, so a task with
            // a 1 s budget posts a page or two and hands the rest on.
            try """
                version: 1
                stores: { connections: { type: dynamodb, table: \(name), page_size: 15 } }
                sinks: { websocket: { type: apigw, endpoint: "\(sinkURL)", rate: 50, burst: 5 } }
                sources:
                  queue: { type: sqs, queue: "\(queue)", region: us-east-1, visibility_timeout: 10s, wait_time: 1s }
                  work: { type: sqs, queue: "\(work)", region: us-east-1, visibility_timeout: 10s, wait_time: 1s }
                routes:
                  - { name: main, from: [queue, work], to: websocket, split: { via: work, segments: 4, task_budget: 1s } }
                serve: { host: 127.0.0.1, port: 9 }
                """.write(to: directory.appendingPathComponent("routes.yaml"), atomically: true, encoding: .utf8)
            let environment = try MotoScripts.awsEnvironment(home: directory.path).merging(["LOG_LEVEL": "info"]) { $1 }
            let (first, firstAddress) = try await ServeModeTests.start(directory: directory, environment: environment)
            defer { first.stop() }
            let (second, secondAddress) = try await ServeModeTests.start(directory: directory, environment: environment)
            defer { second.stop() }

            _ = try MotoScripts.run(#"sqs.send_message(QueueUrl="\#(queue)", MessageBody='{"data":{"split":"yes"}}')"#)
            try await eventually("every connection reached") { server.received.count == 300 }
            try await eventually("both queues empty") { try Self.queued(queue) == 0 && Self.queued(work) == 0 }

            #expect(server.received.values.allSatisfy { $0 == [Array(#"{"split":"yes"}"#.utf8)] }, "each connection got the data once, byte for byte")
            #expect(server.posts == 300)
            var totals: [String: Double] = [:]
            for address in [firstAddress, secondAddress] {
                let daemon = ServeModeTests.Daemon(
                    process: first, connections: server, topic: "", queueURL: queue, table: name, url: "http://" + address,
                    directory: directory, environment: environment)
                for (sample, value) in try await daemon.metrics() { totals[sample, default: 0] += value }
            }
            #expect(totals[#"notification_router_tasks_created_total{route="main"}"#] == 4)
            #expect(totals[#"notification_router_tasks_finished_total{route="main"}"#] == 4)
            let continued = totals[#"notification_router_tasks_continued_total{route="main"}"#] ?? 0
            #expect(continued >= 4, "each segment (75 connections, 5 pages) outlasts one 1 s task")
            #expect(totals[#"notification_router_sqs_received_total{queue="work"}"#] == 4 + continued)
            #expect(totals[#"notification_router_delivered_total{route="main"}"#] == 300)
            let logs = first.standardError + second.standardError
            #expect(logs.contains("router.task="), "a task's log lines name it")
            #expect(logs.contains("continued: task "), "a continuation is logged")
        }
    }

    @Test("the Lambda variant: 3 s invocations, as an event source mapping gives them, continue the work until every connection has it once; none answers past its deadline")
    func lambdaInvocations() async throws {
        let name = "split-lambda-\(UUID().uuidString.prefix(8))"
        let urls = try MotoScripts.run("""
            print(json.dumps([sqs.create_queue(QueueName=n)["QueueUrl"] for n in ["\(name)", "\(name)-work"]]))
            """)
        let queues = try JSONSerialization.jsonObject(with: Data(urls.utf8)) as? [String] ?? []
        let routes = """
            version: 1
            stores: { connections: { type: dynamodb, table: "${CONNECTIONS_TABLE_NAME}", page_size: 10 } }
            sinks: { websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}", rate: 50, burst: 5 } }
            sources:
              queue: { type: sqs, queue: "\(queues[0])", region: us-east-1 }
              work: { type: sqs, queue: "\(queues[1])", region: us-east-1 }
            routes:
              - { name: main, from: [queue, work], to: websocket, split: { via: work, segments: 4 } }
            """
        let environment = ["AWS_ENDPOINT_URL_SQS": try TestPeers.requireMoto(), "LOG_LEVEL": "info"]
        try await LambdaHarness.with(connections: Self.connections, routes: routes, environment: environment) { lambda in
            let arn = { (queue: String) in "arn:aws:sqs:us-east-1:123456789012:" + queue.split(separator: "/").last! }
            let first = try await lambda.runtime.invoke(
                LambdaHarness.sqsEvent([("origin-1", #"{"data":"lambda"}"#)], queueARN: arn(queues[0])), timeout: .seconds(3))
            #expect(first.kind == "response" && (first.json["batchItemFailures"] as? [Any])?.isEmpty == true, "\(first.body)")

            // The event source mapping: up to 10 messages per invocation, failures left for redelivery.
            var invocations = 0
            var tasks = 0
            while try Self.queued(queues[1]) > 0 {
                let received = try MotoScripts.run("""
                    m = sqs.receive_message(QueueUrl="\(queues[1])", MaxNumberOfMessages=10, VisibilityTimeout=10).get("Messages", [])
                    print(json.dumps([[x["MessageId"], x["ReceiptHandle"], x["Body"]] for x in m]))
                    """)
                let messages = try JSONSerialization.jsonObject(with: Data(received.utf8)) as? [[String]] ?? []
                guard !messages.isEmpty else { continue }
                let started = ContinuousClock.now
                let answer = try await lambda.runtime.invoke(
                    LambdaHarness.sqsEvent(messages.map { ($0[0], $0[2]) }, queueARN: arn(queues[1])), timeout: .seconds(3))
                #expect(ContinuousClock.now - started < .seconds(3), "invocation \(invocations) answered within its 3 s")
                invocations += 1
                tasks += messages.count
                let failed = Set((answer.json["batchItemFailures"] as? [[String: String]] ?? []).compactMap { $0["itemIdentifier"] })
                #expect(failed.isEmpty, "\(answer.body)")
                let done = messages.filter { !failed.contains($0[0]) }.enumerated().map { ["Id": "d\($0.offset)", "ReceiptHandle": $0.element[1]] }
                let entries = String(decoding: try JSONSerialization.data(withJSONObject: done), as: UTF8.self)
                _ = try MotoScripts.run(#"sqs.delete_message_batch(QueueUrl="\#(queues[1])", Entries=json.loads('\#(entries)'))"#)
            }
            #expect(lambda.connections.received.count == 300)
            #expect(lambda.connections.received.values.allSatisfy { $0 == [Array(#""lambda""#.utf8)] }, "every connection once, byte for byte")
            #expect(lambda.connections.posts == 300)
            #expect(tasks > 4, "300 posts at 50/s do not fit in one 3 s round of the 4 segment tasks: continuations ran")
        }
    }
}
