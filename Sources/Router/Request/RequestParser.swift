/// Parses notification requests (DESIGN §1) from the bytes of an SNS `Message` or SQS `body`.
///
/// Guarantees: never traps on any input; every rejection is an ``InvalidRequest`` whose
/// reason names the field and its JSON path; `data` is kept as the exact bytes of the
/// request's value. Unknown top-level fields are ignored, as the original pusher did.
public struct RequestParser: Sendable {
    /// The largest request accepted, in bytes (default 1 MiB, SQS's message limit).
    public var maxRequestBytes: Int

    public init(maxRequestBytes: Int = 1_048_576) {
        self.maxRequestBytes = maxRequestBytes
    }

    public func parse(_ bytes: some Collection<UInt8>) throws(InvalidRequest) -> NotificationRequest {
        guard bytes.count <= maxRequestBytes else {
            throw InvalidRequest("request is \(bytes.count) bytes, over the limit of \(maxRequestBytes) bytes")
        }
        var scanner = JSONScanner(Array(bytes))
        var fields = Fields()
        do {
            guard try scanner.peekKind() == .object else {
                throw InvalidRequest("request must be a JSON object, got \(try scanner.peekKind().rawValue) at $")
            }
            try scanner.readObject { scanner, key throws(JSONSyntaxError) in
                try fields.read(key, from: &scanner)
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("unexpected data after the request object") }
        } catch let error as InvalidRequest {
            throw error
        } catch let error as JSONSyntaxError {
            throw InvalidRequest("request is not valid JSON: \(error)")
        } catch {
            throw InvalidRequest("request could not be read: \(error)")
        }
        if let problem = fields.problem { throw problem }
        guard let data = fields.data else { throw InvalidRequest("data is required at $.data") }
        return NotificationRequest(
            id: fields.id,
            users: fields.users,
            excludeUsers: fields.excludeUsers,
            rooms: fields.rooms,
            excludeConnections: fields.excludeConnections,
            data: data
        )
    }
}

/// The recognised fields of a request while it is being read. Type problems are kept aside
/// (the first one wins) so that the whole object is still checked for JSON syntax first.
private struct Fields {
    var id: String?
    var users: [String] = []
    var excludeUsers: [String] = []
    var rooms: [String] = []
    var excludeConnections: [String] = []
    var data: Payload?
    var problem: InvalidRequest?
    private var seen: Set<String> = []

    mutating func read(_ key: String, from scanner: inout JSONScanner) throws(JSONSyntaxError) {
        let known: Set = ["id", "users", "exclude_users", "rooms", "exclude_connections", "data"]
        guard known.contains(key) else {
            _ = try scanner.skipValue()
            return
        }
        guard seen.insert(key).inserted else {
            _ = try scanner.skipValue()
            report("\(key) appears more than once at $.\(key)")
            return
        }
        switch key {
        case "data":
            let (kind, range) = try scanner.skipValue()
            // The original pusher treated `"data": null` as nothing to send.
            if kind == .null { report("data must not be null at $.data") }
            data = Payload(validatedBytes: Array(scanner.slice(range)))
        case "id":
            let kind = try scanner.peekKind()
            if kind == .null { _ = try scanner.skipValue(); return }
            guard kind == .string else {
                _ = try scanner.skipValue()
                report("id must be a string, got \(kind.rawValue) at $.id")
                return
            }
            let value = try scanner.readString()
            if value.isEmpty { report("id must not be empty at $.id") }
            id = value
        default:
            let list = try readStrings(key, from: &scanner)
            switch key {
            case "users": users = list
            case "exclude_users": excludeUsers = list
            case "rooms": rooms = list
            default: excludeConnections = list
            }
        }
    }

    /// Reads an array of non-empty strings; `null` reads as an empty array.
    private mutating func readStrings(_ key: String, from scanner: inout JSONScanner) throws(JSONSyntaxError) -> [String] {
        let kind = try scanner.peekKind()
        guard kind == .array else {
            _ = try scanner.skipValue()
            if kind != .null { report("\(key) must be an array of strings, got \(kind.rawValue) at $.\(key)") }
            return []
        }
        var values: [String] = []
        var index = 0
        var problem: InvalidRequest?
        try scanner.readArray { scanner throws(JSONSyntaxError) in
            defer { index += 1 }
            let kind = try scanner.peekKind()
            guard kind == .string else {
                _ = try scanner.skipValue()
                problem = problem ?? InvalidRequest(
                    "\(key) must be an array of strings, got \(kind.rawValue) at $.\(key)[\(index)]")
                return
            }
            let value = try scanner.readString()
            problem = problem ?? Self.check(value, key: key, at: "$.\(key)[\(index)]")
            values.append(value)
        }
        if let problem { report(problem.reason) }
        return values
    }

    /// DynamoDB keys (the `users` and `rooms` read) hold at most 2,048 bytes; API Gateway
    /// connection ids have no control characters. A value no store or gateway can ever accept
    /// makes the request invalid before any read.
    static let maxKeyBytes = 2048

    private static func check(_ value: String, key: String, at path: String) -> InvalidRequest? {
        if value.isEmpty { return InvalidRequest("\(key) must not contain an empty string at \(path)") }
        if key == "users" || key == "rooms", value.utf8.count > maxKeyBytes {
            return InvalidRequest("\(key) holds an id of \(value.utf8.count) bytes; DynamoDB keys are at most \(maxKeyBytes) bytes at \(path)")
        }
        if key == "exclude_connections", value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return InvalidRequest("exclude_connections holds a connection id with a control character, which API Gateway never issues at \(path)")
        }
        return nil
    }

    private mutating func report(_ reason: String) {
        if problem == nil { problem = InvalidRequest(reason) }
    }
}
