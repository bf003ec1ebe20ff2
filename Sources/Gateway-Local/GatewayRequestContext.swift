import Hummingbird

/// The gateway's request context for its HTTP routes (the management API, `/publish`, the
/// console); WebSocket upgrades never reach the router (``GatewayChannel``).
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }
}
