import NIOCore
import NIOHTTP1

/// Why an exchange failed; `nothingReceived` when no byte of an answer arrived before the
/// connection closed (the request may never have been read).
struct ExchangeError: Error, CustomStringConvertible {
    let description: String
    let nothingReceived: Bool
}

/// Reads one answer per exchange on its connection, and fails the exchange when the
/// connection closes, errs or its deadline passes first.
///
/// The deadline is watched by one timer per connection, not one per exchange: scheduling a
/// task on the event loop and cancelling it (a search of the loop's timers) cost about 7% of a
/// post. The timer is armed for the earliest deadline it must check and is not cancelled when
/// an exchange ends; when it fires it fails the exchange then running if that one's deadline
/// has passed, or re-arms for it.
final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        let keepAlive: Bool
    }

    struct Exchange {
        let responseLimit: Int
        let deadline: NIODeadline
        /// Called once, on the event loop, when the answer is in or the exchange failed.
        let finish: (Result<Answer, ExchangeError>) -> Void
    }

    private var current: Exchange?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    /// The connection's timer and the deadline it fires at.
    private var timer: (deadline: NIODeadline, task: Scheduled<Void>)?
    private var channelContext: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
    }

    /// Begins waiting for the answer to a request about to be written.
    func start(_ exchange: Exchange) {
        guard let context = channelContext else {
            exchange.finish(.failure(ExchangeError(description: "the connection is not ready", nothingReceived: true)))
            return
        }
        current = exchange
        head = nil
        body.clear()
        watch(exchange.deadline, context: context)
    }

    /// Makes sure the timer fires no later than `deadline`.
    private func watch(_ deadline: NIODeadline, context: ChannelHandlerContext) {
        if let timer {
            guard deadline < timer.deadline else { return }  // it fires first, and re-arms then
            timer.task.cancel()
        }
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard let exchange = self.current else { return }
            if exchange.deadline <= .now() {
                self.fail(ExchangeError(description: "no answer before the timeout", nothingReceived: false), context: context)
            } else {
                self.watch(exchange.deadline, context: context)
            }
        }
        timer = (deadline, task)
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
            current = nil
            exchange.finish(.success(Answer(status: Int(head.status.code), headers: head.headers, body: body, keepAlive: head.isKeepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ExchangeError(description: "the server closed the connection", nothingReceived: head == nil), context: context)
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(ExchangeError(description: "\(error)", nothingReceived: head == nil), context: context)
    }

    private func fail(_ error: ExchangeError, context: ChannelHandlerContext) {
        guard let exchange = current else { return }
        current = nil
        context.close(promise: nil)
        exchange.finish(.failure(error))
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
