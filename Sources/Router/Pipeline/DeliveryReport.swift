import Foundation

/// What became of one request on one route. Its ``outcome`` decides the acknowledgement:
/// only ``Outcome/retry(_:)`` asks the source to deliver the request again.
public struct DeliveryReport: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Every target connection ended delivered, gone or permanently rejected.
        case completed
        /// A stage dropped the request on purpose (e.g. a duplicate); nothing to retry.
        case dropped(code: String, message: String)
        /// The request itself is at fault; retrying cannot help.
        case invalid(reason: String)
        /// Something transient is left (failures, skipped connections, an unreachable
        /// store); the source must deliver the request again.
        case retry(reason: String)
    }

    public var route: String
    /// The request's `id`, when it has one.
    public var requestID: String?
    /// The source's message id, when it has one.
    public var messageID: String?
    public var outcome: Outcome
    public var delivered = 0
    public var gone = 0
    /// Gone connections deleted from the store because of this request; a connection gone for
    /// several requests of a batch is counted by the first, so a batch's reports add up.
    public var pruned = 0
    public var throttled = 0
    public var forbidden = 0
    public var rejected = 0
    public var failed = 0
    public var skipped = 0
    /// Reading the connections stopped at the deadline: more were not read, and so are in
    /// no count (``skipped`` holds only those read but not attempted).
    public var unreadAtDeadline = false

    public init(route: String, requestID: String? = nil, messageID: String? = nil, outcome: Outcome) {
        self.route = route
        self.requestID = requestID
        self.messageID = messageID
        self.outcome = outcome
    }

    /// Whether the source must deliver the request again.
    public var needsRetry: Bool {
        if case .retry = outcome { return true }
        return false
    }

    /// Whether the request was rejected as invalid.
    public var isInvalid: Bool {
        if case .invalid = outcome { return true }
        return false
    }
}

/// The report as JSON, for `POST /publish`, a direct Lambda invocation and `publish --local`:
/// `{"route":…,"request_id":…,"message_id":…,"outcome":"completed|dropped|invalid|retry",
/// "code":…,"reason":…,"delivered":…,"gone":…,"pruned":…,"throttled":…,"forbidden":…,
/// "rejected":…,"failed":…,"skipped":…,"unread":true}` (absent keys: no value; `unread` only
/// when reading stopped at the deadline).
extension DeliveryReport: Encodable {
    private enum CodingKeys: String, CodingKey {
        case route, requestID = "request_id", messageID = "message_id", outcome, code, reason
        case delivered, gone, pruned, throttled, forbidden, rejected, failed, skipped, unread
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encodeIfPresent(requestID, forKey: .requestID)
        try container.encodeIfPresent(messageID, forKey: .messageID)
        switch outcome {
        case .completed:
            try container.encode("completed", forKey: .outcome)
        case .dropped(let code, let message):
            try container.encode("dropped", forKey: .outcome)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .reason)
        case .invalid(let reason):
            try container.encode("invalid", forKey: .outcome)
            try container.encode(reason, forKey: .reason)
        case .retry(let reason):
            try container.encode("retry", forKey: .outcome)
            try container.encode(reason, forKey: .reason)
        }
        for (key, count) in [(CodingKeys.delivered, delivered), (.gone, gone), (.pruned, pruned), (.throttled, throttled),
                             (.forbidden, forbidden), (.rejected, rejected), (.failed, failed), (.skipped, skipped)] {
            try container.encode(count, forKey: key)
        }
        if unreadAtDeadline { try container.encode(true, forKey: .unread) }
    }
}

extension [DeliveryReport] {
    /// `{"reports":[…]}`, keys sorted: what `POST /publish` and a directly invoked Lambda answer.
    public var reportsJSON: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [UInt8]((try? encoder.encode(["reports": self])) ?? Data(#"{"reports":[]}"#.utf8))
    }
}
