import Logging
import Synchronization

/// Log lines kept for assertions: each is the message followed by its metadata (the
/// logger's and the event's), so a test can look for a message id or a payload anywhere in
/// what an operator would read.
public final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    public var all: [String] { lines.withLock { $0 } }

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A handler keeping what is logged at `level` or above.
    public func handler(level: Logger.Level = .trace) -> Handler { Handler(lines: self, logLevel: level) }

    /// A logger keeping what is logged at `level` or above.
    public func logger(level: Logger.Level = .trace) -> Logger { Logger(label: "test") { _ in self.handler(level: level) } }

    public struct Handler: LogHandler {
        let lines: LogLines
        public var metadata: Logger.Metadata = [:]
        public var logLevel: Logger.Level

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        public func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            lines.append(all.isEmpty ? "\(event.message)" : "\(event.message) \(all)")
        }
    }
}
