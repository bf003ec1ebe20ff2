import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The gateway's request context: Hummingbird's, plus the WebSocket upgrade slot, the
/// client's address (for `identity.sourceIp`) and the id the connection gets if this request
/// is a WebSocket upgrade (the upgrade check and the socket's session share it).
struct GatewayRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<GatewayRequestContext>
    let remoteAddress: SocketAddress?
    let connectionID: String

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        webSocket = WebSocketHandlerReference()
        remoteAddress = source.channel.remoteAddress
        connectionID = GatewayConnectionID.make()
    }
}
