import FoundationEssentials

/// An access key pair, with the session token of temporary credentials.
///
/// Guarantees: its description never shows the secret or the token (only the access key id's
/// last four characters), so logging a value of this type cannot leak credentials.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWSCredentials(accessKeyID: ****\(accessKeyID.suffix(4)), secret: ****\(sessionToken == nil ? "" : ", session token: ****"))"
    }
}
