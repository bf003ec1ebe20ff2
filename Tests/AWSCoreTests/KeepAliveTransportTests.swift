import AWSCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RouterTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// The lean post client's contract, against a real HTTP/1.1 server (Hummingbird, plain and
/// TLS): keep-alive reuse, the server closing, timeouts, TLS, and answers of every class.
@Suite("keep-alive transport")
struct KeepAliveTransportTests {
    /// What the server saw: the client ports of its connections, one per request.
    final class Seen: Sendable {
        let ports = Mutex<[Int]>([])
        var connections: Int { Set(ports.withLock { $0 }).count }
        var requests: Int { ports.withLock { $0.count } }
    }

    /// A Hummingbird server on 127.0.0.1, port 0: `/status/{code}` answers that code with a
    /// JSON body, `/close` answers 200 with `Connection: close`, `/slow` never answers in time,
    /// `/chunked` streams a body in parts, `/big` answers 10 KB; everything else 200.
    static func withServer<Result: Sendable>(
        tls: TLSConfiguration? = nil, idleTimeout: TimeAmount? = nil,
        _ body: @escaping @Sendable (_ port: Int, _ seen: Seen) async throws -> Result
    ) async throws -> Result {
        let seen = Seen()
        let router = Router(context: PeerContext.self)
        router.add(middleware: CountConnections(seen: seen))
        router.post("/status/:code") { _, context -> Response in
            let code = Int(context.parameters.get("code") ?? "") ?? 500
            return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: #"{"message":"status \#(code)"}"#)))
        }
        router.post("/close") { _, _ -> Response in
            Response(status: .ok, headers: [.connection: "close"])
        }
        router.post("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        router.post("/chunked") { _, _ -> Response in
            Response(status: .forbidden, body: ResponseBody { writer in
                for part in ["{\"message\":", "\"chunked ", "refusal\"}"] { try await writer.write(ByteBuffer(string: part)) }
                try await writer.finish(nil)
            })
        }
        router.post("/big") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 10_000)))
        }
        router.post("/**") { _, _ -> Response in Response(status: .ok) }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: idleTimeout))
        let app = Application(
            router: router,
            server: try tls.map { try .tls(http1, tlsConfiguration: $0) } ?? http1,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "server", factory: { _ in SwiftLogNoOpLogHandler() }))
        let services = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "server", factory: { _ in SwiftLogNoOpLogHandler() })))
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let outcome: Swift.Result<Result, any Error>
            do { outcome = .success(try await body(port, seen)) } catch { outcome = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try outcome.get()
        }
    }

    /// Hummingbird's context plus the client's port: one port per connection.
    struct PeerContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let remotePort: Int

        init(source: ApplicationRequestContextSource) {
            coreContext = CoreRequestContextStorage(source: source)
            remotePort = source.channel.remoteAddress?.port ?? -1
        }
    }

    struct CountConnections: RouterMiddleware {
        typealias Context = PeerContext
        let seen: Seen
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            seen.ports.withLock { $0.append(context.remotePort) }
            return try await next(request, context)
        }
    }

    static func post(_ transport: KeepAliveTransport, _ path: String, timeout: Duration = .seconds(10), limit: Int = 1024) async throws -> AWSHTTPResponse {
        let request = AWSHTTPRequest(method: "POST", url: transport.origin + path, headers: [("X-Test", "1")], body: ByteBuffer(string: #"{"n":1}"#))
        return try await transport.send(request, timeout: timeout, responseLimit: limit)
    }

    @Test("requests one after another share one kept-alive connection; concurrent ones open at most maxConnections")
    func keepAliveReuse() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 4)
            for _ in 0..<20 { #expect(try await Self.post(transport, "/ok").status == 200) }
            #expect(seen.requests == 20 && seen.connections == 1)

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 { group.addTask { try await Self.post(transport, "/ok").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
            #expect(seen.connections <= 4, "at most maxConnections connections, \(seen.connections) seen")
            await transport.shutdown()
        }
    }

    @Test("an answer with Connection: close retires its connection; the next request opens a new one")
    func connectionClose() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 2)
            for _ in 0..<5 { #expect(try await Self.post(transport, "/close").status == 200) }
            #expect(seen.requests == 5 && seen.connections == 5)
            await transport.shutdown()
        }
    }

    @Test("a connection the server closed while it was idle is not used again: the next request succeeds")
    func serverClosesIdle() async throws {
        try await Self.withServer(idleTimeout: .milliseconds(100)) { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
            #expect(try await Self.post(transport, "/ok").status == 200)
            try await Task.sleep(for: .milliseconds(400))  // the server's idle timeout closes the connection
            for _ in 0..<3 { #expect(try await Self.post(transport, "/ok").status == 200) }
            #expect(seen.requests == 4 && seen.connections == 2)
            await transport.shutdown()
        }
    }

    @Test("no answer before the timeout throws, and the connection is not used again")
    func timeout() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
            await #expect(throws: (any Error).self) { try await Self.post(transport, "/slow", timeout: .milliseconds(200)) }
            #expect(try await Self.post(transport, "/ok").status == 200)
            #expect(seen.connections == 2, "the timed-out connection was closed, not reused")
            await transport.shutdown()
        }
    }

    @Test("one timer per connection: an exchange with an earlier deadline than the one before, and one that outlives the timer set for the one before, each time out (the server would answer /slow after 3 s)")
    func timerFollowsTheExchange() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
            // The timer is set for 10 s by the first exchange; the second needs it earlier.
            #expect(try await Self.post(transport, "/ok", timeout: .seconds(10)).status == 200)
            await #expect(throws: (any Error).self) { try await Self.post(transport, "/slow", timeout: .milliseconds(300)) }
            // The timer is set for 300 ms by the first exchange and fires during the second: it re-arms for it.
            #expect(try await Self.post(transport, "/ok", timeout: .milliseconds(300)).status == 200)
            await #expect(throws: (any Error).self) { try await Self.post(transport, "/slow", timeout: .milliseconds(1500)) }
            #expect(seen.requests == 4)
            await transport.shutdown()
        }
    }

    @Test("a request whose time runs out while it waits in line for a connection fails without being sent")
    func expiredInLine() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
            let slow = Task { try await Self.post(transport, "/slow", timeout: .seconds(1)) }
            while seen.requests == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // The one connection is busy until /slow times out: this request waits in line past its deadline.
            await #expect(throws: (any Error).self) { try await Self.post(transport, "/late", timeout: .milliseconds(100)) }
            await #expect(throws: (any Error).self) { try await slow.value }
            #expect(try await Self.post(transport, "/ok").status == 200)
            #expect(seen.requests == 2, "/slow and /ok reached the server, /late did not")
            await transport.shutdown()
        }
    }

    @Test("a completion runs on the event loop of its connection, and a request started from it goes out on the same connection")
    func chainedOnTheEventLoop() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 4)
            let onEventLoop = Mutex<[Bool]>([])
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                @Sendable func post(_ left: Int) {
                    let request = AWSHTTPRequest(method: "POST", url: transport.origin + "/ok", headers: [], body: nil)
                    transport.start(request, timeout: .seconds(10), responseLimit: 1024) { _ in
                        onEventLoop.withLock { $0.append(MultiThreadedEventLoopGroup.currentEventLoop != nil) }
                        if left > 1 { post(left - 1) } else { done.resume() }
                    }
                }
                post(5)
            }
            #expect(onEventLoop.withLock { $0 } == [true, true, true, true, true])
            #expect(seen.requests == 5 && seen.connections == 1)
            await transport.shutdown()
        }
    }

    @Test("every status comes back with its body: 410, 413, 429, 403 (chunked); a body over the limit throws")
    func answers() async throws {
        try await Self.withServer { port, seen async throws in
            let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
            for code in [410, 413, 429, 500] {
                let answer = try await Self.post(transport, "/status/\(code)")
                #expect(answer.status == code && String(buffer: answer.body) == #"{"message":"status \#(code)"}"#)
            }
            let chunked = try await Self.post(transport, "/chunked")
            #expect(chunked.status == 403 && String(buffer: chunked.body) == #"{"message":"chunked refusal"}"#)
            #expect(seen.connections == 1, "every answer above left its connection reusable")
            await #expect(throws: (any Error).self) { try await Self.post(transport, "/big", limit: 1024) }
            #expect(try await Self.post(transport, "/big", limit: 20_000).body.readableBytes == 10_000)
            await transport.shutdown()
        }
    }

    @Test("https: a certificate the transport is told to trust is accepted over one kept-alive connection; an untrusted one is refused")
    func tls() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (certificate, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let made = try await CommandResult.running(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
        try #require(made.status == 0, "openssl: \(made.standardError)")
        let server = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        try await Self.withServer(tls: server) { port, seen async throws in
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .file(certificate)
            let transport = KeepAliveTransport(scheme: "https", host: "localhost", port: port, maxConnections: 2, tls: trusting)
            for _ in 0..<5 { #expect(try await Self.post(transport, "/ok").status == 200) }
            #expect(try await Self.post(transport, "/status/410").status == 410)
            #expect(seen.connections == 1)
            await transport.shutdown()

            let untrusting = KeepAliveTransport(scheme: "https", host: "localhost", port: port, maxConnections: 1)
            await #expect(throws: (any Error).self) { try await Self.post(untrusting, "/ok") }
            await untrusting.shutdown()

            // The trust roots are read when the first connection opens, not at init.
            var missing = TLSConfiguration.makeClientConfiguration()
            missing.trustRoots = .file(directory.appendingPathComponent("missing.pem").path)
            let unreadable = KeepAliveTransport(scheme: "https", host: "localhost", port: port, maxConnections: 1, tls: missing)
            await #expect(throws: (any Error).self) { try await Self.post(unreadable, "/ok") }
            await unreadable.shutdown()
        }
    }

    @Test("the keep-alive race: a reused connection the server closes without answering gets the request once more, on a new connection")
    func keepAliveRace() async throws {
        let script = TestPeers.packageRoot.appendingPathComponent("Tests/Support/Scripts/race_server.py").path
        let server = try RunningProcess(URL(fileURLWithPath: try TestPeers.requirePython()), ["-u", script])
        defer { server.stop() }
        let port = try await server.wait(for: "the port") { lines in lines.first { $0.hasPrefix("port ") }.flatMap { Int($0.dropFirst(5)) } }
        let transport = KeepAliveTransport(scheme: "http", host: "127.0.0.1", port: port, maxConnections: 1)
        #expect(try await Self.post(transport, "/first").status == 200)
        #expect(try await Self.post(transport, "/second").status == 200, "sent again on a new connection and answered there")
        try await server.wait(for: "three requests read") { lines in lines.contains("seen 3") ? true : nil }
        #expect(!server.lines.contains("seen 4"), "once more, not more")
        await transport.shutdown()
    }
}
