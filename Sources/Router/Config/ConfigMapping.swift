/// A mapping of routes.yaml (its keys unique: the YAML reader rejects duplicates) being read by a component: it remembers which keys were read so
/// that ``finish()`` can reject every key nobody asked for, listing the accepted ones.
public struct ConfigMapping: Sendable {
    /// The mapping node itself (for errors about missing keys).
    public let node: ConfigValue
    private let entries: [ConfigEntry]
    private var accepted: [String] = []

    init(_ node: ConfigValue, entries: [ConfigEntry]) {
        self.node = node
        self.entries = entries
    }

    /// An empty mapping standing at `node`, for components written without options.
    static func empty(at node: ConfigValue) -> ConfigMapping {
        ConfigMapping(node, entries: [])
    }

    /// The keys in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The value of `key`, or nil when absent or `null`. Marks the key as accepted.
    public mutating func optional(_ key: String) -> ConfigValue? {
        accepted.append(key)
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    /// The value of `key`; a missing key is an error that says what was expected there.
    public mutating func required(_ key: String, expected: String) throws(ConfigError) -> ConfigValue {
        guard let value = optional(key) else {
            throw node.error("missing key '\(key)' (expected \(expected))")
        }
        return value
    }

    /// Every entry, marking all keys as accepted (for mappings whose keys are names).
    public mutating func namedEntries() -> [ConfigEntry] {
        accepted.append(contentsOf: keys)
        return entries
    }

    /// Rejects the first key that no one read.
    public func finish() throws(ConfigError) {
        guard let unknown = entries.first(where: { !accepted.contains($0.key) }) else { return }
        let expected = accepted.isEmpty ? "no options here" : "one of: " + accepted.joined(separator: ", ")
        throw ConfigError(
            at: unknown.keyLocation, path: node.path.isEmpty ? unknown.key : "\(node.path).\(unknown.key)",
            "unknown key '\(unknown.key)'; expected \(expected)")
    }
}
