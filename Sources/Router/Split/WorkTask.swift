/// One piece of a split request, as the work queue carries it: which part of the audience it
/// reaches (one parallel-scan segment from a cursor, or a list of users), the exclusions the
/// route's stages decided, and the original request's bytes, unchanged, so that `data` is
/// still posted byte for byte.
///
/// The format is the router's own and versioned (docs/split-tasks.md):
/// ```json
/// {"notification_router_task":1,"origin":"<message id>","part":3,"parts":16,"hop":0,
///  "segment":3,"segments":16,"cursor":"<the store's position>",
///  "exclude_users":["x"],"exclude_connections":[],"unique_connections":false,
///  "request":{…the request as received…}}
/// ```
/// A users task has `"users":[…]` instead of the segment keys. A continuation may carry
/// `"unfinished":[["user","connection id"],…]`: connections of pages already read whose posts
/// did not end, tried again first. The version key comes first, so a message is told from a
/// request by its first bytes.
public struct WorkTask: Sendable, Hashable {
    /// The format version this router writes and reads.
    public static let version = 1

    /// Which connections the task reaches.
    public enum Work: Sendable, Hashable {
        /// One segment of a parallel scan, from after `cursor` (nil: its start).
        case segment(Int, of: Int, cursor: String?)
        /// The connections of these users.
        case users([String])
    }

    /// The message id of the request the task was cut from.
    public var origin: String
    /// Which part of the request this is (from 0), and how many parts it was cut into.
    public var part: Int
    public var parts: Int
    /// How many continuations led to this task (0: cut from the request itself).
    public var hop: Int
    public var work: Work
    /// Connections an earlier hop read but could not finish (failed, or skipped at its
    /// deadline), posted before the work.
    public var unfinished: [Connection]
    public var excludedUsers: [String]
    public var excludedConnections: [String]
    public var uniqueConnections: Bool
    /// The request, byte for byte as its source received it.
    public var request: [UInt8]

    public init(
        origin: String, part: Int, parts: Int, hop: Int = 0, work: Work, unfinished: [Connection] = [], excludedUsers: [String] = [],
        excludedConnections: [String] = [], uniqueConnections: Bool = false, request: [UInt8]
    ) {
        self.origin = origin
        self.part = part
        self.parts = parts
        self.hop = hop
        self.work = work
        self.unfinished = unfinished
        self.excludedUsers = excludedUsers
        self.excludedConnections = excludedConnections
        self.uniqueConnections = uniqueConnections
        self.request = request
    }

    /// Names the task in logs and keys its redelivery memory and a FIFO queue's
    /// deduplication: the same part of the same request at the same hop is the same task.
    public var id: String { "\(origin)/\(part)/\(hop)" }

    /// The ``id`` in the characters and length a queue's deduplication id allows whatever the
    /// origin's message id is (SQS FIFO: at most 128 of letters, digits and punctuation).
    public var deduplicationID: String {
        "\(String(StableHash.fnv1a(origin.utf8), radix: 16))-\(part)-\(hop)"
    }

    /// Whom the task reaches, as the route's stages left it.
    public var audience: Audience {
        let target: Audience.Target
        switch work {
        case .segment: target = .broadcast
        case .users(let users): target = .users(users)
        }
        return Audience(
            target: target, excludedUsers: Set(excludedUsers), excludedConnections: Set(excludedConnections), uniqueConnections: uniqueConnections)
    }

    /// The next task of the same part: `unfinished` first, then `work` (nil: nothing more to read).
    public func continuation(_ work: Work?, unfinished: [Connection]) -> WorkTask {
        var next = self
        next.hop += 1
        next.work = work ?? .users([])
        next.unfinished = unfinished
        return next
    }

    /// Whether a message body is a task rather than a request: its first member is the version key.
    public static func isTask(_ body: [UInt8]) -> Bool {
        let marker = Array(#""notification_router_task""#.utf8)
        guard let open = body.firstIndex(where: { !$0.isJSONWhitespace }), body[open] == UInt8(ascii: "{") else { return false }
        guard let key = body[(open + 1)...].firstIndex(where: { !$0.isJSONWhitespace }) else { return false }
        return body[key...].starts(with: marker)
    }

    /// The task as the message body the work queue carries.
    public var json: [UInt8] {
        var text = #"{"notification_router_task":\#(Self.version),"origin":\#(origin.jsonQuoted),"#
        text += #""part":\#(part),"parts":\#(parts),"hop":\#(hop),"#
        switch work {
        case .segment(let segment, let segments, let cursor):
            text += #""segment":\#(segment),"segments":\#(segments),"#
            if let cursor { text += #""cursor":\#(cursor.jsonQuoted),"# }
        case .users(let users):
            text += #""users":\#(Self.list(users)),"#
        }
        if !unfinished.isEmpty {
            text += #""unfinished":[\#(unfinished.map { Self.list([$0.userID, $0.connectionID]) }.joined(separator: ","))],"#
        }
        text += #""exclude_users":\#(Self.list(excludedUsers)),"exclude_connections":\#(Self.list(excludedConnections)),"#
        text += #""unique_connections":\#(uniqueConnections),"request":"#
        return Array(text.utf8) + request + [UInt8(ascii: "}")]
    }

    private static func list(_ strings: [String]) -> String {
        "[" + strings.map(\.jsonQuoted).joined(separator: ",") + "]"
    }

    /// Reads a task written by ``json``; the reason names the field when it is not one.
    public init(json body: [UInt8]) throws(InvalidRequest) {
        var reader = TaskFields()
        var scanner = JSONScanner(body)
        do {
            try scanner.readObject { scanner, key throws(JSONSyntaxError) in try reader.read(key, from: &scanner) }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("unexpected data after the task object") }
        } catch {
            throw InvalidRequest("task is not valid JSON: \(error)")
        }
        self = try reader.task()
    }
}

/// The members of a task while it is read.
private struct TaskFields {
    var numbers: [String: Int] = [:]
    var strings: [String: String] = [:]
    var lists: [String: [String]] = [:]
    var unfinished: [Connection] = []
    var unique = false
    var request: [UInt8]?
    var problem: String?

    mutating func read(_ key: String, from scanner: inout JSONScanner) throws(JSONSyntaxError) {
        switch key {
        case "notification_router_task", "part", "parts", "hop", "segment", "segments":
            let (kind, range) = try scanner.skipValue()
            guard kind == .number, let number = Int(String(decoding: scanner.slice(range), as: UTF8.self)) else {
                problem = problem ?? "\(key) must be a whole number at $.\(key)"
                return
            }
            numbers[key] = number
        case "origin", "cursor":
            guard try scanner.peekKind() == .string else {
                _ = try scanner.skipValue()
                problem = problem ?? "\(key) must be a string at $.\(key)"
                return
            }
            strings[key] = try scanner.readString()
        case "users", "exclude_users", "exclude_connections":
            var list: [String] = []
            guard try scanner.peekKind() == .array else {
                _ = try scanner.skipValue()
                problem = problem ?? "\(key) must be an array of strings at $.\(key)"
                return
            }
            try scanner.readArray { scanner throws(JSONSyntaxError) in
                if try scanner.peekKind() == .string { list.append(try scanner.readString()) } else {
                    _ = try scanner.skipValue()
                    problem = problem ?? "\(key) must be an array of strings at $.\(key)"
                }
            }
            lists[key] = list
        case "unfinished":
            guard try scanner.peekKind() == .array else {
                _ = try scanner.skipValue()
                problem = problem ?? "unfinished must be an array of [user, connection id] pairs at $.unfinished"
                return
            }
            try scanner.readArray { scanner throws(JSONSyntaxError) in
                var pair: [String] = []
                if try scanner.peekKind() == .array {
                    try scanner.readArray { scanner throws(JSONSyntaxError) in
                        if try scanner.peekKind() == .string { pair.append(try scanner.readString()) } else { _ = try scanner.skipValue() }
                    }
                } else {
                    _ = try scanner.skipValue()
                }
                if pair.count == 2 { unfinished.append(Connection(userID: pair[0], connectionID: pair[1])) } else {
                    problem = problem ?? "unfinished must be an array of [user, connection id] pairs at $.unfinished"
                }
            }
        case "unique_connections":
            let (kind, range) = try scanner.skipValue()
            unique = kind == .boolean && scanner.slice(range).first == UInt8(ascii: "t")
        case "request":
            let (kind, range) = try scanner.skipValue()
            if kind != .object { problem = problem ?? "request must be the request object at $.request" }
            request = Array(scanner.slice(range))
        default:
            _ = try scanner.skipValue()
        }
    }

    func task() throws(InvalidRequest) -> WorkTask {
        if let problem { throw InvalidRequest(problem) }
        guard let version = numbers["notification_router_task"] else { throw InvalidRequest("notification_router_task (the format version) is required") }
        guard version == WorkTask.version else {
            throw InvalidRequest("task format version \(version) is not the one this router reads (\(WorkTask.version)); run one version of the router per work queue")
        }
        func number(_ key: String) throws(InvalidRequest) -> Int {
            guard let value = numbers[key], value >= 0 else { throw InvalidRequest("\(key) is required, a number from 0, at $.\(key)") }
            return value
        }
        guard let origin = strings["origin"] else { throw InvalidRequest("origin is required at $.origin") }
        guard let request else { throw InvalidRequest("request is required at $.request") }
        let work: WorkTask.Work
        if let users = lists["users"] {
            work = .users(users)
        } else {
            let segments = try number("segments")
            let segment = try number("segment")
            guard segment < segments else { throw InvalidRequest("segment \(segment) is not below segments \(segments) at $.segment") }
            work = .segment(segment, of: segments, cursor: strings["cursor"])
        }
        return WorkTask(
            origin: origin, part: try number("part"), parts: try number("parts"), hop: try number("hop"), work: work, unfinished: unfinished,
            excludedUsers: lists["exclude_users"] ?? [], excludedConnections: lists["exclude_connections"] ?? [],
            uniqueConnections: unique, request: request)
    }
}

extension UInt8 {
    fileprivate var isJSONWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
