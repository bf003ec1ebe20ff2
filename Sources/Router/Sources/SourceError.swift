/// A source could not read an event or send a message; the message says what happened.
public typealias SourceError = CodedError<SourceFailure>

/// The domain of ``SourceError``.
public enum SourceFailure {}

extension ErrorCode where Domain == SourceFailure {
    /// An event of the source's kind that does not decode.
    public static var unreadableEvent: Self { Self("unreadableEvent") }
    /// The source has no publish face.
    public static var cannotPublish: Self { Self("cannotPublish") }
}
