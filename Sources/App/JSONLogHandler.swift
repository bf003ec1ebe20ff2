import FoundationEssentials
import Logging
import RouterCore

/// Log lines as JSON objects, one per line, for CloudWatch Logs (Lambda mode):
/// `{"timestamp":…,"level":…,"logger":…,"message":…, …metadata}`. Metadata keys are written
/// as they are (`aws.request_id`, `router.route`, …); payloads never appear because nothing
/// logs them.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [
            "timestamp": .string(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "level": .string(event.level.rawValue.uppercased()),
            "logger": .string(label),
            "message": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.plain(value)
        }
        write(String(decoding: JSONValue.object(object).encoded(), as: UTF8.self))
    }

    static func plain(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(plain))
        case .dictionary(let values): .object(values.mapValues(plain))
        }
    }

    /// Writes a line to standard output, which Lambda sends to CloudWatch Logs; lines from
    /// concurrent invocations never interleave.
    public static let standardOutput: @Sendable (String) -> Void = { line in StandardStream.output.write(line + "\n") }
}
