import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Foundation
import RouterTestSupport
import Testing

/// `notification-router serve` end to end: SNS topic → SQS queue (SNS envelope in the body)
/// on moto → the daemon → the fake `@connections` server; the connection table on moto.
@Suite("daemon mode (serve)")
struct ServeModeTests {
    static let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router")

    struct Daemon {
        let process: RunningProcess
        let connections: FakeConnectionsServer
        let topic: String
        let queueURL: String
        /// The connection table (and the topic's and queue's name).
        let table: String
        /// The daemon's HTTP server, `http://127.0.0.1:PORT`.
        let url: String
        /// Where its routes.yaml is, and its environment: another daemon on the same queue.
        let directory: URL
        let environment: [String: String]

        /// `GET /metrics`, as sample name (with labels) → value; fails on a line that is not
        /// Prometheus text.
        func metrics() async throws -> [String: Double] {
            let text = try await get("/metrics").text
            var samples: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let value = Double(parts[1]), parts[0].first.map({ $0.isLetter || $0 == "_" }) == true else {
                    Issue.record("not a Prometheus sample line: \(line)")
                    continue
                }
                samples[String(parts[0])] = value
            }
            return samples
        }

        /// `GET path`: status and text.
        func get(_ path: String) async throws -> (status: UInt, text: String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + path), timeout: .seconds(30))
            return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }

        /// Publishes `message` to the topic as it is, byte for byte.
        func publish(_ message: String) throws {
            let literal = String(decoding: try JSONSerialization.data(withJSONObject: [message]), as: UTF8.self)
            _ = try MotoScripts.run(#"sns.publish(TopicArn="\#(topic)", Message=json.loads(r'''\#(literal)''')[0])"#)
        }

        /// Messages visible or in flight on the queue.
        func queued() throws -> Int {
            let text = try MotoScripts.run("""
                a = sqs.get_queue_attributes(QueueUrl="\(queueURL)", AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
                print(int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"]))
                """)
            return Int(text) ?? -1
        }
    }

    /// A daemon on the routes.yaml in `directory`; it and its address once it listens. The host
    /// comes from routes.yaml's serve section, the port from the flag, which wins.
    /// With `descriptorLimit`, it runs under `prlimit --nofile=N:N`.
    static func start(directory: URL, environment: [String: String], descriptorLimit: Int? = nil) async throws -> (RunningProcess, String) {
        let arguments = ["serve", "--port", "0"]
        let process = try descriptorLimit.map { limit in
            try RunningProcess(URL(fileURLWithPath: "/usr/bin/prlimit"), ["--nofile=\(limit):\(limit)", binary.path] + arguments, environment: environment, directory: directory)
        } ?? RunningProcess(binary, arguments, environment: environment, directory: directory)
        let address = try await process.wait(for: "the listening line") { lines in
            lines.first { $0.contains("listening on 127.0.0.1:") }.map { String($0.split(separator: " ").last!) }
        }
        return (process, address)
    }

    /// A topic subscribed by a queue, a table of `connections`, the daemon consuming the queue;
    /// with `httpTopic`, also an `sns` source named `http` for that topic (`POST /sns/http`),
    /// with `httpOptions` added to its options. `environment` is added to the daemon's (whose
    /// LOG_LEVEL is info unless it says otherwise); `visibilityTimeout` and `grace` are the
    /// queue source's and the daemon's.
    static func with<Result: Sendable>(
        connections: [String: [String]], httpTopic: String? = nil, httpOptions: String = "", environment extra: [String: String] = [:],
        visibilityTimeout: String = "5s", grace: String = "20s", descriptorLimit: Int? = nil, _ body: @escaping @Sendable (Daemon) async throws -> Result
    ) async throws -> Result {
        let name = "serve-\(UUID().uuidString.prefix(8))"
        try MotoScripts.createTable(name, connections)
        let created = try MotoScripts.run("""
            t = sns.create_topic(Name="\(name)")["TopicArn"]
            q = sqs.create_queue(QueueName="\(name)")["QueueUrl"]
            a = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=a)
            print(json.dumps([t, q]))
            """)
        let names = try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String] ?? []
        let server = FakeConnectionsServer(live: connections.values.flatMap { $0 })
        return try await server.run { sinkURL in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try """
                version: 1
                stores: { connections: { type: dynamodb, table: \(name) } }
                sinks: { websocket: { type: apigw, endpoint: "\(sinkURL)" } }
                sources:
                  queue: { type: sqs, queue: "\(names[1])", region: us-east-1, retry_delay: 1s, visibility_timeout: \(visibilityTimeout), wait_time: 2s }
                  \(httpTopic.map { "http: { type: sns, topic: \"\($0)\"\(httpOptions) }" } ?? "")
                routes: [{ name: main, from: [queue\(httpTopic == nil ? "" : ", http")], filters: [exclude], to: websocket }]
                serve: { host: 127.0.0.1, port: 9, shutdown_grace: \(grace) }
                """.write(to: directory.appendingPathComponent("routes.yaml"), atomically: true, encoding: .utf8)
            let environment = try MotoScripts.awsEnvironment(home: directory.path).merging(["LOG_LEVEL": "info"].merging(extra) { _, new in new }) { _, new in new }
            let (process, address) = try await start(directory: directory, environment: environment, descriptorLimit: descriptorLimit)
            defer { process.stop() }
            return try await body(Daemon(
                process: process, connections: server, topic: names[0], queueURL: names[1], table: name, url: "http://" + address,
                directory: directory, environment: environment))
        }
    }

    @Test("a request published to the topic reaches exactly the right connections, and its message is deleted")
    func delivers() async throws {
        try await Self.with(connections: ["ann": ["ann-1", "ann-2"], "bob": ["bob-1"], "cy": ["cy-1"]]) { daemon in
            try daemon.publish(#"{"exclude_users":["cy"],"data":{"n":1}}"#)
            try await eventually("all three delivered") { daemon.connections.received.count == 3 }
            #expect(Set(daemon.connections.received.keys) == ["ann-1", "ann-2", "bob-1"])
            #expect(daemon.connections.received.values.allSatisfy { $0 == [Array(#"{"n":1}"#.utf8)] })
            try await eventually("the queue empty") { try daemon.queued() == 0 }

            let metrics = try await daemon.metrics()
            #expect(metrics[#"notification_router_delivered_total{route="main"}"#] == 3)
            #expect(metrics[#"notification_router_sqs_received_total{queue="queue"}"#] == 1)
            #expect(metrics[#"notification_router_sqs_acknowledged_total{queue="queue"}"#] == 1)
            #expect(metrics[#"notification_router_fanout_duration_seconds_count{route="main"}"#] == 1)
            #expect(metrics["notification_router_posts_in_flight"] == 0)
            #expect(daemon.process.standardError.contains("route table: routes.yaml (no environment applied)"), "it says which table it runs")
        }
    }

    @Test("/healthz says alive; /readyz probes the table and the sink (at most every 5 s), and names the store once its table is gone")
    func readiness() async throws {
        try await Self.with(connections: ["gus": ["gus-1"]]) { daemon in
            #expect(try await daemon.get("/healthz") == (200, "alive\n"))
            let ready = try await daemon.get("/readyz")
            #expect(ready.status == 200 && ready.text.contains("stores and sinks reachable"), "\(ready)")
            #expect(daemon.connections.posts == 0, "the sink probe is a GET, never a post")
            let cached = try await daemon.get("/readyz")
            _ = try MotoScripts.run(#"ddb.delete_table(TableName="\#(daemon.table)")"#)
            #expect(try await daemon.get("/readyz").status == cached.status, "a probe at most 5 s old answers: callers cannot make it hammer the peers")
            // Once the cached probe is older than 5 s, the next asks the peers again and names what is gone.
            var gone = try await daemon.get("/readyz")
            for _ in 0..<100 where gone.status == 200 {
                try await Task.sleep(for: .milliseconds(200))
                gone = try await daemon.get("/readyz")
            }
            #expect(gone.status == 503 && gone.text.contains("connection store 'connections'") && gone.text.contains("ResourceNotFound"), "\(gone)")
        }
    }

    @Test("a transient failure returns the message to the queue; the redelivery reaches only the connection that missed it")
    func redelivers() async throws {
        try await Self.with(connections: ["dee": ["dee-1", "dee-2"], "fay": ["fay-1"]]) { daemon in
            daemon.connections.set("dee-1", .failFirst(6))
            try daemon.publish(#"{"users":["dee","fay"],"data":"again"}"#)
            try await eventually("delivered on redelivery") { daemon.connections.received["dee-1"]?.count == 1 }
            try await eventually("the queue empty") { try daemon.queued() == 0 }
            #expect(daemon.connections.received.mapValues(\.count) == ["dee-1": 1, "dee-2": 1, "fay-1": 1], "every live connection has it once")
            #expect(daemon.connections.posts == 9, "six failed attempts and two deliveries on the first receive, one post on the second")
            #expect(daemon.process.standardError.contains("returned 1 of 1 messages to the queue"))
            let metrics = try await daemon.metrics()
            #expect(metrics[#"notification_router_sqs_returned_total{queue="queue"}"#] == 1)
            #expect(metrics[#"notification_router_failed_total{route="main"}"#] == 1)
        }
    }

    /// Opens `count` sockets to `port` (every other one with an unfinished request head) and
    /// holds them; prints `opened N` once done.
    static let flood = """
        import resource, socket, sys, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
        port, count = int(sys.argv[1]), int(sys.argv[2])
        held = []
        for i in range(count):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                if i % 2 == 0:
                    s.send(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n")
                held.append(s)
            except OSError:
                break
        print("opened", len(held), flush=True)
        time.sleep(120)
        """

    @Test("1,100 idle and half-open sockets against a daemon limited to 1,024 descriptors: it lives, deliveries continue within 2 s each, /healthz answers again")
    func descriptorExhaustion() async throws {
        try await Self.with(connections: ["hal": ["hal-1"]], descriptorLimit: 1024) { daemon in
            let port = String(daemon.url.split(separator: ":").last!)
            let flood = try RunningProcess(URL(fileURLWithPath: try TestPeers.requirePython()), ["-c", Self.flood, port, "1100"])
            defer { flood.stop() }
            _ = try await flood.wait(for: "the sockets opened") { lines in lines.first { $0.hasPrefix("opened") } }
            for index in 1...3 {
                try daemon.publish(#"{"users":["hal"],"data":\#(index)}"#)
                try await eventually("delivery \(index) within 2 s", limit: .seconds(2)) { daemon.connections.received["hal-1"]?.count == index }
            }
            var healthy = false
            for _ in 0..<60 where !healthy {
                healthy = (try? await daemon.get("/healthz").status) == 200
                if !healthy { try await Task.sleep(for: .seconds(1)) }
            }
            #expect(healthy, "/healthz answers once idle connections are closed")
            #expect(daemon.process.isRunning, "\(daemon.process.standardError.suffix(2000))")
            #expect(daemon.process.standardError.contains("accepting at most 640 client connections at once"))
        }
    }
}
