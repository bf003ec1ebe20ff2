/// Why the SNS endpoint refused a message. ``malformed`` is the sender's mistake (HTTP 400);
/// ``forged`` means SNS cannot be shown to have sent it (HTTP 403). The text names the field
/// or check that failed, for the log.
public enum SNSRejection: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case forged(String)

    public var description: String {
        switch self {
        case .malformed(let reason), .forged(let reason): reason
        }
    }
}
