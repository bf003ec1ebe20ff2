/// ``ConnectionStore/connections(of:)`` could not read some users' connections (DynamoDB
/// refused their keys, say), and read every other user's. A batch charges it only to the
/// requests that name those users.
public struct UnreadUsers: Error, Sendable, CustomStringConvertible {
    /// Each unread user, with why.
    public let reasons: [String: String]

    public init(_ reasons: [String: String]) {
        self.reasons = reasons
    }

    /// The part of this error that concerns `users`; nil when none of them was unread.
    public func restricted(to users: Set<String>) -> UnreadUsers? {
        let concerned = reasons.filter { users.contains($0.key) }
        return concerned.isEmpty ? nil : UnreadUsers(concerned)
    }

    public var description: String {
        let listed = reasons.sorted { $0.key < $1.key }.prefix(3).map { "'\($0.key.prefix(64))': \($0.value)" }
        let more = reasons.count > 3 ? " and \(reasons.count - 3) more" : ""
        return "the connections of \(reasons.count) user\(reasons.count == 1 ? "" : "s") could not be read (\(listed.joined(separator: "; "))\(more))"
    }
}
