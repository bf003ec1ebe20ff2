/// Why the SNS endpoint refused a message. A ``Kind/malformed`` message is the sender's
/// mistake (HTTP 400); a ``Kind/forged`` one cannot be shown to come from SNS for this source
/// (HTTP 403).
///
/// The answer says only which ``Check`` failed, in fixed words: never a value the caller sent
/// or a setting of the source (its topic ARN, a URL). The ``detail`` names them, for the log.
public struct SNSRejection: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case malformed, forged
    }

    /// The class of check that failed, as the answer states it.
    public enum Check: String, Sendable, Equatable {
        case shape = "the body is not an SNS message"
        case headers = "the SNS headers disagree with the body"
        case topic = "the message is not from this source's topic"
        case signature = "the signature does not verify"
        case certificate = "the signing certificate is not acceptable"
        case age = "the message is older than the source accepts"
        case rawDelivery = "unsigned raw message delivery is not accepted here"
        case credentials = "the request does not carry this endpoint's credentials"
    }

    public let kind: Kind
    public let check: Check
    /// What exactly failed, for the log; it may quote what the caller sent.
    public let detail: String

    public static func malformed(_ check: Check = .shape, _ detail: String) -> SNSRejection {
        SNSRejection(kind: .malformed, check: check, detail: detail)
    }

    public static func forged(_ check: Check, _ detail: String) -> SNSRejection {
        SNSRejection(kind: .forged, check: check, detail: detail)
    }

    /// 400 or 403.
    public var status: Int { kind == .malformed ? 400 : 403 }

    /// The answer's text.
    public var answer: String { "\(kind == .malformed ? "bad request" : "forbidden"): \(check.rawValue)" }

    public var description: String { detail }
}

extension String {
    /// This text with control characters and backslashes escaped (`\n`, `\u{1B}`), so that a
    /// caller's value cannot forge or break a log line.
    var escapedForLog: String {
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    escaped += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
