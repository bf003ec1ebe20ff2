import RouterCore
import RouterTestSupport

/// Plugin types for loader and route-set tests: a sink with a store reference (default
/// `connections`, like `apigw`) that builds a ``RecordingSink``, and a store with a table that
/// builds an in-memory store.
struct RecordingSinkConfiguration: SinkConfiguration {
    let store: ConfigReference

    init(options: inout ConfigMapping) throws(ConfigError) {
        let value = options.optional("store")
        store = ConfigReference(.connectionStore, try value?.nonEmptyString() ?? "connections", at: value ?? options.node)
    }

    var settings: [ConfigSetting] { [ConfigSetting("store", store.name)] }
    func makeSink(_ context: PluginContext) -> any Sink { RecordingSink() }
}

struct RecordingStoreConfiguration: ConnectionStoreConfiguration {
    let table: String

    init(options: inout ConfigMapping) throws(ConfigError) {
        table = try options.required("table", expected: "a table name").nonEmptyString()
    }

    var settings: [ConfigSetting] { [ConfigSetting("table", table)] }
    func makeStore(_ context: PluginContext) -> any ConnectionStore { MemoryConnectionStore() }
}

/// A source with no options and no faces: messages from it are handed to ``BatchDelivery`` by
/// the test itself.
struct RecordingSourceConfiguration: SourceConfiguration {
    init(options: inout ConfigMapping) throws(ConfigError) {}
    var settings: [ConfigSetting] { [] }
    func makeSource(name: String, _ context: PluginContext) -> any NotificationSource { FacelessSource(name: name) }

    struct FacelessSource: NotificationSource {
        let name: String
    }
}

/// A store that needs a resource no test provides, to exercise build errors.
struct NeedsResourceStoreConfiguration: ConnectionStoreConfiguration {
    init(options: inout ConfigMapping) throws(ConfigError) {}
    var settings: [ConfigSetting] { [] }
    func makeStore(_ context: PluginContext) throws(PluginBuildError) -> any ConnectionStore {
        _ = try context.resource(Int.self)
        return MemoryConnectionStore()
    }
}

extension PluginRegistry {
    static var testing: PluginRegistry {
        var registry = PluginRegistry.core
        registry.register(sink: "recording", RecordingSinkConfiguration.self)
        registry.register(store: "recording-store", RecordingStoreConfiguration.self)
        registry.register(source: "recording-source", RecordingSourceConfiguration.self)
        return registry
    }
}
