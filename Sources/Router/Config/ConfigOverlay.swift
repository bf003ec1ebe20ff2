/// Applies an `environments:` overlay to the document: mappings merge key by key, lists and
/// scalars are replaced, and a component whose overlay names a different `type:` is
/// replaced whole (its old options belong to the old type).
enum ConfigOverlay {
    static func apply(_ overlay: ConfigValue, to base: ConfigValue) -> ConfigValue {
        guard case .mapping(let baseEntries) = base.content, case .mapping(let overlayEntries) = overlay.content,
              typeName(of: base) == typeName(of: overlay) || typeName(of: overlay) == nil
        else { return relocated(overlay, to: base.path) }
        var entries = baseEntries
        for entry in overlayEntries {
            if let index = entries.firstIndex(where: { $0.key == entry.key }) {
                let merged = apply(entry.value, to: entries[index].value)
                entries[index] = ConfigEntry(key: entry.key, keyLocation: entry.keyLocation, value: merged)
            } else {
                let path = base.path.isEmpty ? entry.key : "\(base.path).\(entry.key)"
                entries.append(ConfigEntry(key: entry.key, keyLocation: entry.keyLocation, value: relocated(entry.value, to: path)))
            }
        }
        return ConfigValue(.mapping(entries), at: base.location, path: base.path, variables: base.variables)
    }

    private static func typeName(of value: ConfigValue) -> String? {
        guard case .mapping(let entries) = value.content,
              let type = entries.first(where: { $0.key == "type" }), case .scalar(let name) = type.value.content
        else { return nil }
        return name
    }

    /// The overlay's value with key paths as if it stood in the base document, so errors
    /// read `sinks.websocket.endpoint` rather than `environments.dev.sinks.websocket.endpoint`.
    /// Locations still point at the overlay's lines.
    private static func relocated(_ value: ConfigValue, to path: String) -> ConfigValue {
        let content: ConfigValue.Content
        switch value.content {
        case .null, .scalar: content = value.content
        case .sequence(let items):
            content = .sequence(items.enumerated().map { relocated($1, to: "\(path)[\($0)]") })
        case .mapping(let entries):
            content = .mapping(entries.map { entry in
                ConfigEntry(key: entry.key, keyLocation: entry.keyLocation,
                            value: relocated(entry.value, to: path.isEmpty ? entry.key : "\(path).\(entry.key)"))
            })
        }
        return ConfigValue(content, at: value.location, path: path, variables: value.variables, textOffset: value.textOffset)
    }
}
