/// A mode or command cannot go on; the message says why and what to fix.
public struct RouterAppError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
