/// A problem in routes.yaml that a user can fix from the message alone: the file, line and
/// column, the key path, and what was expected.
///
/// Printed as `routes.yaml:12:7: routes[0].to: unknown sink 'websockets'; expected one of: websocket`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let location: ConfigLocation
    /// The key path, e.g. `sinks.websocket.max_in_flight` or `routes[0].filters[1]`.
    public let path: String
    public let message: String

    public init(at location: ConfigLocation, path: String, _ message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every problem found in one routes.yaml, in file order. Loading reports them all at once
/// so one run of `check` shows everything to fix.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A position in a configuration file (lines and columns count from 1).
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
