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
}
