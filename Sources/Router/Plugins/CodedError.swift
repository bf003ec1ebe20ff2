/// An error that callers branch on by ``code`` instead of matching message text; the message
/// is written for the person on call. `Domain` is a marker type naming what failed (a plugin
/// build, a source, a sink's readiness, a mode), so that each kind of error is its own type
/// (`PluginBuildError`, `SourceError`, …) with its own codes.
public struct CodedError<Domain>: Error, Sendable, CustomStringConvertible {
    public typealias Code = ErrorCode<Domain>

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The stable code of a ``CodedError`` of `Domain`. Each domain declares its codes as static
/// members (`.missingSetting`); codes may be added in later versions, so a `switch` over them
/// needs a `default`.
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// A code named `name`; declared once, by the domain.
    public init(_ name: String) {
        description = name
    }
}
