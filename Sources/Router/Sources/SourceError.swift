/// A source could not read an event or send a message. Callers branch on ``code``; the
/// message says what happened in words the person on call can act on.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across versions (new codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case unreadableEvent, cannotPublish, publishFailed
        }

        private let value: Value

        /// An event of the source's kind that does not decode.
        public static let unreadableEvent = Code(value: .unreadableEvent)
        /// The source has no publish face.
        public static let cannotPublish = Code(value: .cannotPublish)
        /// The platform refused or did not answer a publish.
        public static let publishFailed = Code(value: .publishFailed)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
