import FoundationEssentials

/// A node of routes.yaml with its location and key path, ready for typed reading.
///
/// Scalars keep their raw text; `${VAR}` and `${VAR:-default}` are expanded when a scalar is
/// read, so a variable used only by a component that an environment overlay replaced is
/// never required. Every accessor throws a ``ConfigError`` that names file, line, column,
/// key path and the expected shape.
public struct ConfigValue: Sendable {
    public enum Content: Sendable {
        case null
        case scalar(String)
        case sequence([ConfigValue])
        case mapping([ConfigEntry])
    }

    public let content: Content
    public let location: ConfigLocation
    /// The key path from the document root, e.g. `sinks.websocket.endpoint`.
    public let path: String
    let variables: ConfigVariables
    /// Columns between ``location`` and the scalar's first character (1 for a quoted scalar).
    let textOffset: Int

    init(_ content: Content, at location: ConfigLocation, path: String, variables: ConfigVariables, textOffset: Int = 0) {
        self.content = content
        self.location = location
        self.path = path
        self.variables = variables
        self.textOffset = textOffset
    }

    /// An error at this value.
    public func error(_ message: String) -> ConfigError {
        ConfigError(at: location, path: path, message)
    }

    var kindName: String {
        switch content {
        case .null: "nothing"
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    public var isNull: Bool {
        if case .null = content { return true }
        return false
    }

    // MARK: - Typed reading

    /// The scalar's text after variable expansion.
    public func string(expected: String = "a string") throws(ConfigError) -> String {
        guard case .scalar(let raw) = content else { throw error("expected \(expected), got \(kindName)") }
        return try variables.expand(raw, at: self)
    }

    /// A string that must not be empty.
    public func nonEmptyString(expected: String = "a non-empty string") throws(ConfigError) -> String {
        let value = try string(expected: expected)
        guard !value.isEmpty else { throw error("expected \(expected), got an empty string") }
        return value
    }

    public func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        let text = try string(expected: expected)
        guard let value = Int(text.filter { $0 != "_" }), range.contains(value) else {
            throw error("expected \(expected), got '\(text)'")
        }
        return value
    }

    public func bool() throws(ConfigError) -> Bool {
        let text = try string(expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got '\(text)'")
        }
    }

    /// A duration such as `250ms`, `30s`, `5m`, `2h`, or a number of seconds.
    public func duration() throws(ConfigError) -> Duration {
        let expected = "a duration such as 250ms, 30s, 5m or 2h"
        let text = try string(expected: expected)
        guard let value = ConfigDuration.parse(text) else { throw error("expected \(expected), got '\(text)'") }
        return value
    }

    /// A duration within `range`.
    public func duration(in range: ClosedRange<Duration>) throws(ConfigError) -> Duration {
        let value = try duration()
        guard range.contains(value) else {
            throw error("expected a duration from \(ConfigDuration.format(range.lowerBound)) to \(ConfigDuration.format(range.upperBound)), got '\(ConfigDuration.format(value))'")
        }
        return value
    }

    /// One of the cases of `type`, written as its raw value.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) throws(ConfigError) -> Choice where Choice.RawValue == String {
        let expected = "one of: " + Choice.allCases.map(\.rawValue).joined(separator: ", ")
        let text = try string(expected: expected)
        guard let value = Choice.allCases.first(where: { $0.rawValue == text }) else { throw error("expected \(expected), got '\(text)'") }
        return value
    }

    public func sequence(expected: String = "a list") throws(ConfigError) -> [ConfigValue] {
        guard case .sequence(let items) = content else { throw error("expected \(expected), got \(kindName)") }
        return items
    }

    /// A list of strings; a single string reads as a list of one.
    public func strings(expected: String = "a list of strings") throws(ConfigError) -> [String] {
        if case .scalar = content { return [try string(expected: expected)] }
        var values: [String] = []
        for item in try sequence(expected: expected) { values.append(try item.string(expected: expected)) }
        return values
    }

    /// The mapping, for reading key by key.
    public func mapping(expected: String = "a mapping") throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let entries) = content else { throw error("expected \(expected), got \(kindName)") }
        return ConfigMapping(self, entries: entries)
    }
}

/// One `key: value` pair of a mapping, with the key's own location.
public struct ConfigEntry: Sendable {
    public let key: String
    public let keyLocation: ConfigLocation
    public let value: ConfigValue
}

extension ConfigValue {
    /// Reads YAML text into a value tree; `variables` is what `${VAR}` expands from.
    /// Plugins and their tests use this to read options outside a whole routes.yaml.
    public static func load(yaml: String, file: String, variables: [String: String] = [:]) throws(ConfigError) -> ConfigValue {
        try ConfigDocument.parse(yaml, file: file, environment: variables)
    }
}
