/// The stable code of an error of type `Owner`, which callers branch on instead of matching
/// message text. Each error type declares its codes as static members (`.missingSetting`);
/// codes may be added in later versions, so a `switch` over them needs a `default`.
public struct ErrorCode<Owner>: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// A code named `name`; declared once, by the owning error type.
    public init(_ name: String) {
        description = name
    }
}
