// The router's benchmark: one scenario per process, so that peak RSS is the scenario's own.
// scripts/bench.sh starts the backends (nginx as DynamoDB and as `@connections`), runs the
// scenarios in a release build and writes docs/benchmarks.md from the JSON lines printed here.
//
//   router-bench broadcast <dynamodb-url> <connections-url> <table: t<connections>>
//   router-bench multicast <dynamodb-url> <connections-url> <requests> <users-per-request>
//   router-bench raw <dynamodb-url> <connections-url> <posts>      (AsyncHTTPClient alone)
//   router-bench lean <dynamodb-url> <connections-url> <posts>     (the sink's KeepAliveTransport alone)
//   router-bench nio <dynamodb-url> <connections-url> <posts>      (SwiftNIO alone: the floor)
//   router-bench engine <dynamodb-url> <connections-url> <posts>   (the fan-out engine alone)
// BENCH_IN_FLIGHT sets max_in_flight (default 256); BENCH_CA_FILE, a PEM certificate that
// the HTTP client trusts (the HTTPS stand-in's self-signed one). Each scenario builds only
// its own inputs.

import AWSCore
import APIGatewaySink
import AsyncHTTPClient
import DynamoStore
import FoundationEssentials
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RouterCore
import Synchronization

let inFlight = Int(ProcessInfo.processInfo.environment["BENCH_IN_FLIGHT"] ?? "") ?? 256

/// Prints one JSON line: posts, wall seconds, posts per second, CPU µs per post, peak RSS.
func printResult(_ scenario: String, posts: Int, elapsed: Duration, cpu: Duration, extra: String) {
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    print(#"{"scenario":"\#(scenario)","posts":\#(posts),"seconds":\#(seconds(elapsed)),"posts_per_second":\#(Double(posts) / seconds(elapsed)),"#
        + #""cpu_us_per_post":\#(seconds(cpu) * 1e6 / Double(max(posts, 1))),"peak_rss_mb":\#(Double(Usage.now().peakRSSKilobytes) / 1024),\#(extra)}"#)
}

/// Writes `line` and a newline to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

struct Usage {
    let cpu: Duration
    let peakRSSKilobytes: Int

    static func now() -> Usage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let micros = (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000
            + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
        return Usage(cpu: .microseconds(micros), peakRSSKilobytes: Int(usage.ru_maxrss))
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 5 else {
    printError("usage: router-bench broadcast|multicast <dynamodb-url> <connections-url> <segments|requests> [users]")
    exit(2)
}
let scenario = arguments[1], dynamoURL = arguments[2], connectionsURL = arguments[3]
let size = Int(arguments[4]) ?? 0
let table = scenario == "broadcast" ? arguments[4] : "bench"
let usersPerRequest = arguments.count > 5 ? Int(arguments[5]) ?? 100 : 100

var clientConfiguration = HTTPClient.Configuration()
clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = inFlight
if let caFile = ProcessInfo.processInfo.environment["BENCH_CA_FILE"] {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .file(caFile)
    clientConfiguration.tlsConfiguration = tls
}
let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
let credentials = CachingCredentialProvider(StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIABENCH", secretAccessKey: "bench")))
let aws = AWSClient(httpClient: httpClient, credentials: credentials, endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL_DYNAMODB": dynamoURL]))

func options<Configuration: PluginConfiguration>(_ type: Configuration.Type, _ yaml: String) throws -> Configuration {
    var mapping = try ConfigValue.load(yaml: yaml, file: "bench").mapping()
    let configuration = try Configuration(options: &mapping)
    try mapping.finish()
    return configuration
}

// The store and the sink as routes.yaml builds them, over the process's AWS access.
let context = PluginContext(resources: [AWSAccess(client: aws, defaultRegion: "us-east-1")])
let store = try options(DynamoStoreConfiguration.self, "table: \(table)\nscan_segments: 4\nquery_concurrency: 64").makeStore(context)
let sink = try options(
    APIGatewaySinkConfiguration.self,
    "endpoint: \(connectionsURL)\nregion: us-east-1\nmax_in_flight: \(inFlight)"
        + (ProcessInfo.processInfo.environment["BENCH_CA_FILE"].map { "\nca_file: \($0)" } ?? "")
).makeSink(context)
let pipeline = Pipeline(route: "bench", stages: [DedupeStage(), ExcludeStage()], store: store, sink: sink)
let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

if scenario == "engine" {
    // The fan-out engine alone: `size` connections, every post answered at once on one of
    // NIO's event loops (where the sink's answers arrive).
    let batches = ConnectionBatches { consume in
        for start in stride(from: 0, to: size, by: 1000) {
            try await consume((start..<min(start + 1000, size)).map { Connection(userID: "u\($0 % 1000)", connectionID: "c\($0)") })
        }
    }
    let loops = MultiThreadedEventLoopGroup.singleton
    let before = Usage.now()
    let started = ContinuousClock.now
    let report = await FanOut(maxInFlight: inFlight) { RetryPolicy.posts.delay(after: $0) }.run(batches, deadline: .now + .seconds(600)) { _, finished in
        loops.next().execute { finished(.delivered) }
    }
    printResult("engine", posts: report.delivered, elapsed: ContinuousClock.now - started, cpu: Usage.now().cpu - before.cpu, extra: #""outcome":"completed""#)
    exit(0)
}

/// Runs `post` for 0..<size with `inFlight` at once and prints the scenario's result.
func postAll(_ name: String, _ post: @escaping @Sendable (Int) async -> Void) async {
    let before = Usage.now()
    let started = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        for index in 0..<size {
            if index >= inFlight { await group.next() }
            group.addTask { await post(index) }
        }
    }
    printResult(name, posts: size, elapsed: ContinuousClock.now - started, cpu: Usage.now().cpu - before.cpu, extra: #""outcome":"completed""#)
}

if scenario == "lean" {
    // The sink's own HTTP client alone, driven as the sink drives it: `inFlight` posts at a
    // time, each answer starting the next post on its event loop; unsigned, no router.
    guard let endpoint = ManagementEndpoint(connectionsURL) else { fatalError("not an endpoint URL: \(connectionsURL)") }
    let transport = KeepAliveTransport(
        scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port, maxConnections: inFlight, tls: clientConfiguration.tlsConfiguration)
    let body = ByteBuffer(string: #"{"type":"announcement"}"#)
    let started = Mutex((count: 0, answered: 0))
    let before = Usage.now()
    let clock = ContinuousClock.now
    await withCheckedContinuation { (allAnswered: CheckedContinuation<Void, Never>) in
        @Sendable func postNext() {
            let index: Int? = started.withLock { started in
                guard started.count < size else { return nil }
                defer { started.count += 1 }
                return started.count
            }
            guard let index else { return }
            let request = AWSHTTPRequest(method: "POST", url: transport.origin + endpoint.basePath + "/@connections/raw-\(index)", headers: [], body: body)
            transport.start(request, timeout: .seconds(5), responseLimit: 1024) { _ in
                let last = started.withLock { started in
                    started.answered += 1
                    return started.answered == size
                }
                if last { allAnswered.resume() } else { postNext() }
            }
        }
        for _ in 0..<min(inFlight, size) { postNext() }
    }
    printResult("lean", posts: size, elapsed: ContinuousClock.now - clock, cpu: Usage.now().cpu - before.cpu, extra: #""outcome":"completed""#)
    await transport.shutdown()
    exit(0)
}

if scenario == "nio" {
    // The floor: SwiftNIO alone, `inFlight` plain-HTTP connections, each channel handler
    // writing its next POST when an answer ends (NIO's HTTP/1.1 decoder, nothing else).
    guard let endpoint = ManagementEndpoint(connectionsURL), endpoint.scheme == "http" else { fatalError("nio needs an http URL: \(connectionsURL)") }
    let remaining = PostsLeft(size)
    let before = Usage.now()
    let started = ContinuousClock.now
    var closed: [EventLoopFuture<Void>] = []
    for _ in 0..<min(inFlight, size) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(NIOFloorPoster(remaining: remaining, basePath: endpoint.basePath))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port ?? 80).get()
        closed.append(channel.closeFuture)
    }
    for future in closed { try? await future.get() }
    printResult("nio", posts: size, elapsed: ContinuousClock.now - started, cpu: Usage.now().cpu - before.cpu, extra: #""outcome":"completed""#)
    exit(0)
}

/// The posts not yet started, shared by the connections.
final class PostsLeft: Sendable {
    private let left: Mutex<Int>
    init(_ count: Int) { left = Mutex(count) }

    /// The next post's number, or nil when none are left.
    func take() -> Int? {
        left.withLock { left in
            guard left > 0 else { return nil }
            left -= 1
            return left
        }
    }
}

/// Posts `raw-<n>` while any are left, one at a time on its connection; closes it after the last.
final class NIOFloorPoster: ChannelDuplexHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Never
    typealias OutboundOut = HTTPClientRequestPart
    let remaining: PostsLeft
    let basePath: String
    static let body = #"{"type":"announcement"}"#

    init(remaining: PostsLeft, basePath: String) {
        self.remaining = remaining
        self.basePath = basePath
    }

    func channelActive(context: ChannelHandlerContext) { postNext(context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { postNext(context) }
    }

    private func postNext(_ context: ChannelHandlerContext) {
        guard let index = remaining.take() else { return context.close(promise: nil) }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "\(basePath)/@connections/raw-\(index)")
        head.headers.add(name: "Host", value: "127.0.0.1")
        head.headers.add(name: "Content-Length", value: String(Self.body.utf8.count))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: Self.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

if scenario == "raw" {
    // AsyncHTTPClient alone: `size` POSTs with `inFlight` in flight, unsigned, no router.
    await postAll("raw") { index in
        var request = HTTPClientRequest(url: connectionsURL + "/@connections/raw-\(index)")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: #"{"type":"announcement"}"#))
        _ = try? await httpClient.execute(request, timeout: .seconds(5)).body.collect(upTo: 1024)
    }
    try await httpClient.shutdown().get()
    exit(0)
}

let messages: [Pipeline.Message]
if scenario == "broadcast" {
    messages = [Pipeline.Message(body: Array(#"{"data":{"type":"announcement","message":"benchmark broadcast"}}"#.utf8))]
} else {
    messages = (0..<size).map { request in
        let users = (0..<usersPerRequest).map { "\"user-\(request)-\($0)\"" }.joined(separator: ",")
        return Pipeline.Message(body: Array(#"{"users":[\#(users)],"data":{"type":"notification","message":"benchmark multicast"}}"#.utf8))
    }
}
let before = Usage.now()
let started = ContinuousClock.now
let reports = await pipeline.deliver(messages, deadline: .now + .seconds(600), logger: logger)
let elapsed = ContinuousClock.now - started
let after = Usage.now()
try await httpClient.shutdown().get()

let posts = reports.reduce(0) { $0 + $1.delivered + $1.gone + $1.rejected + $1.failed }
let completed = reports.allSatisfy { $0.outcome == .completed }
for report in reports where report.outcome != .completed {
    printError("router-bench: \(report.outcome)")
}
printResult(
    scenario, posts: posts, elapsed: elapsed, cpu: after.cpu - before.cpu,
    extra: #""delivered":\#(reports.reduce(0) { $0 + $1.delivered }),"pruned":\#(reports.reduce(0) { $0 + $1.pruned }),"outcome":"\#(completed ? "completed" : "not completed")""#)
