import DequeModule
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A lean HTTP/1.1 ``AWSTransport`` for one origin (`scheme://host:port`): the product's hot
/// path, the posts to `@connections`, which AsyncHTTPClient's general machinery made cost
/// most of a post's CPU (docs/benchmarks-analysis.md). Everything else keeps AsyncHTTPClient.
///
/// - A pool of at most `maxConnections` keep-alive connections; each carries one request at a
///   time (no pipelining). A request takes an idle connection, or opens one when fewer are
///   open, or waits in line for the next connection to come free.
/// - ``start(_:timeout:responseLimit:completion:)`` runs on NIO's event loops from end to end:
///   a connection that finishes an exchange takes the next request in line on its own event
///   loop, and the completion is called there, so a caller that starts its next request from
///   the completion never leaves the event loop (no hop to Swift concurrency's threads and
///   back per request). ``send(_:timeout:responseLimit:)`` is the same for async callers.
/// - The request head is written as bytes straight from the request (no header dictionary);
///   the answer is parsed by NIO's HTTP/1.1 decoder and its body kept up to `responseLimit`.
/// - A connection is reused only when its answer was complete and allowed it (`Connection:
///   close`, HTTP/1.0 without keep-alive, or a closed socket retire it); a failed or timed-out
///   exchange closes its connection.
/// - A request sent on a reused connection that the server had closed meanwhile (the
///   keep-alive race: nothing of an answer arrived) is sent once more on a new connection.
/// - A request still in line at its deadline fails without being sent.
/// - `https` runs TLS (NIOSSL) with the platform's trust roots, or `tls` when given. The TLS
///   context is made when the first connection opens, not at init: it reads and parses the
///   trust roots (the system's bundle took about 5 ms of a 16 ms Lambda start), which a
///   process that never posts (an invocation for `$connect`) does not need. A context that
///   cannot be made fails each connection attempt with its reason.
///
/// It guarantees what ``AWSTransport`` does: one send per request (but for the keep-alive
/// race above, where the server never read it), any status returned, a throw only when no
/// complete answer came in time; and each completion is called exactly once.
public final class KeepAliveTransport: AWSTransport, Sendable {
    public let origin: String
    let host: String
    let port: Int
    let maxConnections: Int
    private let sslContext: LazyTLSContext?
    private let group: any EventLoopGroup
    private let state = Mutex(PoolState())

    /// What a request's caller is told: the answer, or why none came.
    public typealias Completion = @Sendable (Result<AWSHTTPResponse, any Error>) -> Void

    /// A request on its way: its bytes, until when it may take, and whom to tell.
    struct Job: Sendable {
        let bytes: ByteBuffer
        let method: HTTPMethod
        let deadline: NIODeadline
        let responseLimit: Int
        let completion: Completion
    }

    struct PoolState {
        var idle: [any Channel] = []
        var open = 0
        /// Requests waiting for a connection, first come first served.
        var line = Deque<Job>()
        var closed = false
    }

    /// A transport for `scheme://host:port` (`scheme` http or https; `port` nil: the scheme's).
    public init(
        scheme: String, host: String, port: Int?, maxConnections: Int, tls: TLSConfiguration? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        let defaultPort = scheme == "https" ? 443 : 80
        self.host = host
        self.port = port ?? defaultPort
        self.maxConnections = max(1, maxConnections)
        self.group = group
        origin = "\(scheme)://\(host)" + (self.port == defaultPort ? "" : ":\(self.port)")
        sslContext = scheme == "https" ? LazyTLSContext(tls ?? .makeClientConfiguration()) : nil
    }

    public func send(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int) async throws -> AWSHTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            start(request, timeout: timeout, responseLimit: responseLimit) { continuation.resume(with: $0) }
        }
    }

    /// Sends `request` and calls `completion` once with its answer, on the event loop of the
    /// connection that carried it (or on the caller's thread when the request is refused
    /// before it is sent: not below this origin, or the transport is shut down).
    public func start(_ request: AWSHTTPRequest, timeout: Duration, responseLimit: Int, completion: @escaping Completion) {
        guard request.url.hasPrefix(origin) else {
            completion(.failure(TransportError("\(request.url) is not below this transport's origin \(origin)")))
            return
        }
        let target = request.url.dropFirst(origin.count)
        let job = Job(
            bytes: requestBytes(request, target: target), method: HTTPMethod(rawValue: request.method),
            deadline: NIODeadline.now() + TimeAmount(timeout), responseLimit: responseLimit, completion: completion)
        enum Step { case use(any Channel), open, wait, refuse }
        let step: Step = state.withLock { state in
            guard !state.closed else { return .refuse }
            while let channel = state.idle.popLast() {
                if channel.isActive { return .use(channel) }
                state.open -= 1
            }
            if state.open < maxConnections {
                state.open += 1
                return .open
            }
            state.line.append(job)
            return .wait
        }
        switch step {
        case .use(let channel): run(job, on: channel, reused: true)
        case .open: connectAndRun(job)
        case .wait: break
        case .refuse: completion(.failure(TransportError("the transport to \(origin) is shut down")))
        }
    }

    /// Closes every connection; requests after it fail, and so do those waiting in line.
    public func shutdown() async {
        let (idle, waiting) = state.withLock { state in
            state.closed = true
            defer { state.idle = []; state.line = [] }
            return (state.idle, state.line)
        }
        for job in waiting { job.completion(.failure(TransportError("the transport to \(origin) is shut down"))) }
        for channel in idle { try? await channel.close() }
    }

    // MARK: - The request on the wire

    /// The whole request as bytes: `METHOD target HTTP/1.1`, Host, the request's headers,
    /// Content-Length and the body (copied: a post's body is small, and one buffer is one
    /// write through the pipeline).
    private func requestBytes(_ request: AWSHTTPRequest, target: Substring) -> ByteBuffer {
        var head = ByteBuffer()
        head.reserveCapacity(256 + target.utf8.count + (request.body?.readableBytes ?? 0))
        head.writeString(request.method)
        head.writeStaticString(" ")
        head.writeSubstring(target)
        head.writeStaticString(" HTTP/1.1\r\n")
        var hasHost = false
        for header in request.headers {
            hasHost = hasHost || header.name.utf8.count == 4 && header.name.lowercased() == "host"
            head.writeString(header.name)
            head.writeStaticString(": ")
            head.writeString(header.value)
            head.writeStaticString("\r\n")
        }
        if !hasHost {
            head.writeStaticString("Host: ")
            head.writeString(host)
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("Content-Length: ")
        head.writeString(String(request.body?.readableBytes ?? 0))
        head.writeStaticString("\r\n\r\n")
        if var body = request.body { head.writeBuffer(&body) }
        return head
    }

    /// Runs `job` on `channel`, on its event loop (at once when already there).
    private func run(_ job: Job, on channel: any Channel, reused: Bool) {
        if channel.eventLoop.inEventLoop {
            exchange(job, on: channel, reused: reused)
        } else {
            channel.eventLoop.execute { self.exchange(job, on: channel, reused: reused) }
        }
    }

    /// Writes the request and hands the connection on when its answer is in (on the event loop).
    private func exchange(_ job: Job, on channel: any Channel, reused: Bool) {
        guard job.deadline > .now() else {
            // Its time ran out in line: not sent, and the connection goes on.
            checkIn(channel, reusable: true)
            job.completion(.failure(ExchangeError(description: "no connection came free before the timeout", nothingReceived: true)))
            return
        }
        let handler: ExchangeHandler
        do {
            handler = try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self)
        } catch {
            finished(job, on: channel, reused: reused, .failure(ExchangeError(description: "the connection is not ready", nothingReceived: true)))
            return
        }
        handler.start(ExchangeHandler.Exchange(responseLimit: job.responseLimit, deadline: job.deadline) { outcome in
            self.finished(job, on: channel, reused: reused, outcome)
        })
        // The response decoder learns the method from a head passed through it (a HEAD's
        // answer has no body); RawRequestWriter writes only the bytes, which hold the whole
        // request, so no `.end` part is needed.
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: job.method, uri: "")), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(job.bytes)), promise: nil)
    }

    /// An exchange ended: the connection goes on to the next request (or back to the pool,
    /// or is closed), then the request's caller is told.
    private func finished(_ job: Job, on channel: any Channel, reused: Bool, _ outcome: Result<ExchangeHandler.Answer, ExchangeError>) {
        switch outcome {
        case .success(let answer):
            checkIn(channel, reusable: answer.keepAlive)
            job.completion(.success(AWSHTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)))
        case .failure(let error) where error.nothingReceived && reused:
            // The keep-alive race: the server closed the connection before reading the request.
            // The request takes the retired connection's place in the pool for a new one.
            channel.close(promise: nil)
            connectAndRun(job)
        case .failure(let error):
            checkIn(channel, reusable: false)
            job.completion(.failure(error))
        }
    }

    // MARK: - The pool

    /// Hands a connection to the next request in line or keeps it idle; a connection that may
    /// not be reused is closed, and its place goes to the next request in line.
    private func checkIn(_ channel: any Channel, reusable: Bool) {
        guard reusable, channel.isActive else {
            channel.close(promise: nil)
            released()
            return
        }
        enum Next { case run(Job), keep, close }
        let next: Next = state.withLock { state in
            if state.closed { return .close }
            if let job = state.line.popFirst() { return .run(job) }
            state.idle.append(channel)
            return .keep
        }
        switch next {
        case .run(let job): run(job, on: channel, reused: true)
        case .keep: break
        case .close: channel.close(promise: nil)
        }
    }

    /// One connection fewer is open: the next request in line, if any, opens one in its place.
    private func released() {
        let next: Job? = state.withLock { state in
            guard !state.closed, let job = state.line.popFirst() else {
                state.open -= 1
                return nil
            }
            return job
        }
        if let next { connectAndRun(next) }
    }

    /// Connects in a place already counted in `open` and runs `job` on the new connection;
    /// a failed connect gives the place back and fails the job.
    private func connectAndRun(_ job: Job) {
        connect(deadline: job.deadline).whenComplete { result in
            switch result {
            case .success(let channel):
                self.run(job, on: channel, reused: false)
            case .failure(let error):
                self.released()
                job.completion(.failure(error))
            }
        }
    }

    private func connect(deadline: NIODeadline) -> EventLoopFuture<any Channel> {
        let eventLoop = group.next()
        let sslContext: NIOSSLContext?
        do { sslContext = try self.sslContext?.context() } catch { return eventLoop.makeFailedFuture(error) }
        let host = self.host
        let timeout = max(deadline - .now(), .milliseconds(1))
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(RawRequestWriter())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler())
                }
            }
            .connect(host: host, port: port)
    }
}

/// A transport refused the request before sending it.
struct TransportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
