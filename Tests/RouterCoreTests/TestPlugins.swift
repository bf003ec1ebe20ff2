import RouterCore

/// Plugin types for loader tests: a sink with a store reference (default `connections`, like
/// `apigw`) and a store with a table.
struct RecordingSinkConfiguration: SinkConfiguration {
    let store: ConfigReference

    init(options: inout ConfigMapping) throws(ConfigError) {
        let value = options.optional("store")
        store = ConfigReference(.connectionStore, try value?.nonEmptyString() ?? "connections", at: value ?? options.node)
    }

    var settings: [ConfigSetting] { [ConfigSetting("store", store.name)] }
}

struct RecordingStoreConfiguration: ConnectionStoreConfiguration {
    let table: String

    init(options: inout ConfigMapping) throws(ConfigError) {
        table = try options.required("table", expected: "a table name").nonEmptyString()
    }

    var settings: [ConfigSetting] { [ConfigSetting("table", table)] }
}

extension PluginRegistry {
    static var testing: PluginRegistry {
        var registry = PluginRegistry.core
        registry.register(sink: "recording", RecordingSinkConfiguration.self)
        registry.register(store: "recording-store", RecordingStoreConfiguration.self)
        return registry
    }
}
