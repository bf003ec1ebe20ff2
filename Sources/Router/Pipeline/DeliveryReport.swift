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
    /// Split tasks this request was cut into and sent (`split:`), in this attempt.
    public var tasksCreated = 0
    /// 1 when this report is a task's that handed the rest of its work to a continuation.
    public var tasksContinued = 0
    /// 1 when this report is a task's that finished its part.
    public var tasksFinished = 0
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

/// The report as JSON, for `POST /publish`, a direct Lambda invocation and `publish --local`,
/// with what a reader looks for first (the outcome and its reason) first:
/// `{"outcome":"completed|dropped|invalid|retry","reason":…,"code":…,"route":…,"request_id":…,
/// "message_id":…,"delivered":…,"gone":…,"pruned":…,"throttled":…,"forbidden":…,
/// "rejected":…,"failed":…,"skipped":…,"tasks_created":…,"tasks_continued":…,"tasks_finished":…,
/// "unread":true}` (absent keys: no value; the task counts only when not 0, `unread` only when
/// reading stopped at the deadline).
extension DeliveryReport {
    /// The report as one JSON object, its keys in the order above.
    public var json: String {
        var fields: [(String, String)] = []
        switch outcome {
        case .completed:
            fields.append(("outcome", "completed".jsonQuoted))
        case .dropped(let code, let message):
            fields += [("outcome", "dropped".jsonQuoted), ("reason", message.jsonQuoted), ("code", code.jsonQuoted)]
        case .invalid(let reason):
            fields += [("outcome", "invalid".jsonQuoted), ("reason", reason.jsonQuoted)]
        case .retry(let reason):
            fields += [("outcome", "retry".jsonQuoted), ("reason", reason.jsonQuoted)]
        }
        fields.append(("route", route.jsonQuoted))
        if let requestID { fields.append(("request_id", requestID.jsonQuoted)) }
        if let messageID { fields.append(("message_id", messageID.jsonQuoted)) }
        let counts: [(String, Int)] = [
            ("delivered", delivered), ("gone", gone), ("pruned", pruned), ("throttled", throttled),
            ("forbidden", forbidden), ("rejected", rejected), ("failed", failed), ("skipped", skipped),
        ]
        for (key, count) in counts { fields.append((key, String(count))) }
        let tasks = [("tasks_created", tasksCreated), ("tasks_continued", tasksContinued), ("tasks_finished", tasksFinished)]
        for (key, count) in tasks where count > 0 { fields.append((key, String(count))) }
        if unreadAtDeadline { fields.append(("unread", "true")) }
        return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }
}

extension [DeliveryReport] {
    /// `{"reports":[…]}`: what `POST /publish` and a directly invoked Lambda answer.
    public var reportsJSON: [UInt8] {
        let reports: [String] = map(\.json)
        return [UInt8](("{\"reports\":[" + reports.joined(separator: ",") + "]}").utf8)
    }
}
