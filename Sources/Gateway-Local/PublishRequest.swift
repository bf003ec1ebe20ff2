/// A notification request posted to the gateway's `POST /publish`, as if it came from a
/// source: `?source=NAME` names the route table's source it stands in for (absent: the mode's
/// default), and each `attribute.NAME=VALUE` query parameter is a message attribute that
/// routes' `match:` compares.
public struct PublishRequest: Sendable {
    public let body: [UInt8]
    public let source: String?
    public let attributes: [String: String]

    public init(body: [UInt8], source: String?, attributes: [String: String]) {
        self.body = body
        self.source = source
        self.attributes = attributes
    }
}

/// Why `/publish` refused a request before any route saw it (an unknown source); answered 400.
public struct PublishRefusal: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
