/// A source could not read an event or send a message. Callers branch on ``code``; the
/// message says what happened in words the person on call can act on.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<SourceError>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode where Owner == SourceError {
    /// An event of the source's kind that does not decode.
    public static var unreadableEvent: Self { Self("unreadableEvent") }
    /// The source has no publish face.
    public static var cannotPublish: Self { Self("cannotPublish") }
}
