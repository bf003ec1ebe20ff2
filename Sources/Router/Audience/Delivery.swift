/// A request on its way through a route: the request, the audience the stages have shaped,
/// and where it came from. Stages receive a delivery and return it changed, or drop it.
public struct Delivery: Sendable {
    public var request: NotificationRequest
    public var audience: Audience
    public let context: DeliveryContext

    public init(request: NotificationRequest, context: DeliveryContext) {
        self.request = request
        self.audience = Audience(request: request)
        self.context = context
    }

    /// The key that identifies this request across redeliveries: the request `id`, else the
    /// source's message id (SQS `messageId`, SNS `MessageId`), else none.
    public var idempotencyKey: String? { request.id ?? context.messageID }
}

/// Where a delivery came from and which route carries it.
public struct DeliveryContext: Sendable, Hashable {
    /// The route's name in routes.yaml.
    public var route: String
    /// The source's message id, when the source has one.
    public var messageID: String?

    public init(route: String, messageID: String? = nil) {
        self.route = route
        self.messageID = messageID
    }
}
