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
///   time (no pipelining). A request waits for a free connection, or opens one when fewer
///   are open.
/// - The request head is written as bytes straight from the request (no header dictionary);
///   the answer is parsed by NIO's HTTP/1.1 decoder and its body kept up to `responseLimit`.
/// - A connection is reused only when its answer was complete and allowed it (`Connection:
///   close`, HTTP/1.0 without keep-alive, or a closed socket retire it); a failed or timed-out
///   exchange closes its connection.
/// - A request sent on a reused connection that the server had closed meanwhile (the
///   keep-alive race: nothing of an answer arrived) is sent once more on a new connection.
/// - `https` runs TLS (NIOSSL) with the platform's trust roots, or `tls` when given. The TLS
///   context is made when the first connection opens, not at init: it reads and parses the
///   trust roots (the system's bundle took about 5 ms of a 16 ms Lambda start), which a
///   process that never posts (an invocation for `$connect`) does not need. A context that
///   cannot be made fails each connection attempt with its reason.
///
/// It guarantees what ``AWSTransport`` does: one send per request (but for the keep-alive
/// race above, where the server never read it), any status returned, a throw only when no
/// complete answer came in time.
public final class KeepAliveTransport: AWSTransport, Sendable {
    public let origin: String
    let host: String
    let port: Int
    let maxConnections: Int
    private let sslContext: LazyTLSContext?
    private let group: any EventLoopGroup
    private let state = Mutex(PoolState())

    struct PoolState {
        var idle: [any Channel] = []
        var open = 0
        var waiters: [CheckedContinuation<(any Channel)?, Never>] = []
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
        guard request.url.hasPrefix(origin) else {
            throw TransportError("\(request.url) is not below this transport's origin \(origin)")
        }
        let target = String(request.url.dropFirst(origin.count))
        let bytes = requestBytes(request, target: target)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var (channel, reused) = try await checkOut(deadline: deadline)
        while true {
            do {
                let answer = try await exchange(request, bytes, on: channel, deadline: deadline, responseLimit: responseLimit)
                checkIn(channel, reusable: answer.keepAlive)
                return answer.response
            } catch let error as ExchangeError where error.nothingReceived && reused {
                // The keep-alive race: the server closed the connection before reading the request.
                checkIn(channel, reusable: false)
                channel = try await open(deadline: deadline)
                reused = false
            } catch {
                checkIn(channel, reusable: false)
                throw error
            }
        }
    }

    /// Closes every connection; requests after it fail.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for channel in idle { try? await channel.close() }
    }

    // MARK: - The request on the wire

    /// The whole request as bytes: `METHOD target HTTP/1.1`, Host, the request's headers,
    /// Content-Length and the body (copied: a post's body is small, and one buffer is one
    /// write through the pipeline).
    private func requestBytes(_ request: AWSHTTPRequest, target: String) -> ByteBuffer {
        var head = ByteBuffer()
        head.reserveCapacity(256 + target.utf8.count + (request.body?.readableBytes ?? 0))
        head.writeString(request.method)
        head.writeStaticString(" ")
        head.writeString(target)
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

    private func exchange(
        _ request: AWSHTTPRequest, _ bytes: ByteBuffer, on channel: any Channel, deadline: NIODeadline, responseLimit: Int
    ) async throws -> (response: AWSHTTPResponse, keepAlive: Bool) {
        let promise = channel.eventLoop.makePromise(of: ExchangeHandler.Answer.self)
        let exchange = ExchangeHandler.Exchange(promise: promise, responseLimit: responseLimit, deadline: deadline)
        // The response decoder learns the method from a head passed through it (a HEAD's
        // answer has no body); RawRequestWriter writes only the bytes, which hold the whole
        // request, so no `.end` part is needed.
        let method = HTTPMethod(rawValue: request.method)
        channel.eventLoop.execute {
            do {
                try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self).start(exchange)
            } catch {
                promise.fail(error)
                return
            }
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "")), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(bytes)), promise: nil)
        }
        let answer = try await promise.futureResult.get()
        return (AWSHTTPResponse(status: answer.status, headers: answer.headers, body: answer.body), answer.keepAlive)
    }

    // MARK: - The pool

    private func checkOut(deadline: NIODeadline) async throws -> (any Channel, reused: Bool) {
        enum Step { case use(any Channel), open, wait }
        while true {
            let step: Step = try state.withLock { state in
                guard !state.closed else { throw TransportError("the transport to \(origin) is shut down") }
                while let channel = state.idle.popLast() {
                    if channel.isActive { return .use(channel) }
                    state.open -= 1
                }
                if state.open < maxConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch step {
            case .use(let channel):
                return (channel, true)
            case .open:
                return (try await connectInReservedPlace(deadline: deadline), false)
            case .wait:
                let handedOver = await withCheckedContinuation { continuation in
                    let closed = state.withLock { state in
                        if !state.closed { state.waiters.append(continuation) }
                        return state.closed
                    }
                    if closed { continuation.resume(returning: nil) }
                }
                if let handedOver { return (handedOver, true) }
                // Woken without a connection: one was retired, so there is room to open one (loop).
            }
        }
    }

    /// A new connection in place of one that was just retired.
    private func open(deadline: NIODeadline) async throws -> any Channel {
        state.withLock { $0.open += 1 }
        return try await connectInReservedPlace(deadline: deadline)
    }

    /// Connects in a place already counted in `open`, giving the place back when it fails.
    private func connectInReservedPlace(deadline: NIODeadline) async throws -> any Channel {
        do {
            return try await connect(deadline: deadline)
        } catch {
            released()
            throw error
        }
    }

    /// Hands a connection to the next waiter or keeps it idle; a connection that may not be
    /// reused is closed, and its place goes to the next waiter.
    private func checkIn(_ channel: any Channel, reusable: Bool) {
        guard reusable, channel.isActive else {
            channel.close(promise: nil)
            released()
            return
        }
        enum Next { case handOver(CheckedContinuation<(any Channel)?, Never>), keep, close }
        let next: Next = state.withLock { state in
            if state.closed { return .close }
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst()) }
            state.idle.append(channel)
            return .keep
        }
        switch next {
        case .handOver(let waiter): waiter.resume(returning: channel)
        case .keep: break
        case .close: channel.close(promise: nil)
        }
    }

    /// One connection fewer is open: a waiter, if any, may open one.
    private func released() {
        let waiter: CheckedContinuation<(any Channel)?, Never>? = state.withLock { state in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }

    private func connect(deadline: NIODeadline) async throws -> any Channel {
        let sslContext = try self.sslContext?.context()
        let host = self.host
        let timeout = max(deadline - .now(), .milliseconds(1))
        return try await ClientBootstrap(group: group)
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
            .get()
    }
}

/// Why an exchange failed; `nothingReceived` when no byte of an answer arrived before the
/// connection closed (the request may never have been read).
struct ExchangeError: Error, CustomStringConvertible {
    let description: String
    let nothingReceived: Bool
}

/// A transport refused the request before sending it.
struct TransportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads one answer per exchange on its connection, and fails the exchange when the
/// connection closes, errs or its deadline passes first.
final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        let keepAlive: Bool
    }

    struct Exchange {
        let promise: EventLoopPromise<Answer>
        let responseLimit: Int
        let deadline: NIODeadline
    }

    private var current: Exchange?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var timeout: Scheduled<Void>?
    private var channelContext: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
    }

    /// Begins waiting for the answer to a request about to be written.
    func start(_ exchange: Exchange) {
        guard let context = channelContext else {
            exchange.promise.fail(ExchangeError(description: "the connection is not ready", nothingReceived: true))
            return
        }
        current = exchange
        head = nil
        body.clear()
        timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) {
            self.fail(ExchangeError(description: "no answer before the timeout", nothingReceived: false), context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange = current else { return }
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(var part):
            guard body.readableBytes + part.readableBytes <= exchange.responseLimit else {
                fail(ExchangeError(description: "the answer's body is over \(exchange.responseLimit) bytes", nothingReceived: false), context: context)
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            finish()
            exchange.promise.succeed(Answer(status: Int(head.status.code), headers: head.headers, body: body, keepAlive: head.isKeepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ExchangeError(description: "the server closed the connection", nothingReceived: head == nil), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(ExchangeError(description: "\(error)", nothingReceived: head == nil), context: context)
    }

    private func fail(_ error: ExchangeError, context: ChannelHandlerContext) {
        guard let exchange = current else { return }
        finish()
        exchange.promise.fail(error)
        context.close(promise: nil)
    }

    private func finish() {
        current = nil
        timeout?.cancel()
        timeout = nil
    }
}

/// Writes a request's bytes: the request comes as one ``HTTPClientRequestPart/body`` buffer
/// already laid out; the `.head` part only told the response decoder the method.
final class RawRequestWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(.byteBuffer(let bytes)):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .body(.fileRegion):
            promise?.fail(TransportError("file regions are not sent"))
        case .head, .end:
            promise?.succeed(())
        }
    }
}

/// A TLS context made on first use and then shared; safe from any number of connections.
final class LazyTLSContext: Sendable {
    private let configuration: TLSConfiguration
    private let made = Mutex<NIOSSLContext?>(nil)

    init(_ configuration: TLSConfiguration) {
        self.configuration = configuration
    }

    func context() throws -> NIOSSLContext {
        try made.withLock { made in
            if let made { return made }
            let context = try NIOSSLContext(configuration: configuration)
            made = context
            return context
        }
    }
}
