/// The plugin types routes.yaml may name, keyed by their `type:` (or, for stages, their
/// filter name). `RouterApp` builds the registry of built-in plugins; a program that embeds
/// the router adds its own with one `register` line each.
public struct PluginRegistry: Sendable {
    public private(set) var stages: [String: any StageConfiguration.Type] = [:]
    public private(set) var connectionStores: [String: any ConnectionStoreConfiguration.Type] = [:]
    public private(set) var roomDirectories: [String: any RoomDirectoryConfiguration.Type] = [:]
    public private(set) var sinks: [String: any SinkConfiguration.Type] = [:]
    public private(set) var sources: [String: any SourceConfiguration.Type] = [:]

    public init() {}

    /// The plugins that need nothing but RouterCore: the built-in stages and the in-memory
    /// store and room directory.
    public static var core: PluginRegistry {
        var registry = PluginRegistry()
        registry.register(stage: "dedupe", DedupeStage.Configuration.self)
        registry.register(stage: "exclude", ExcludeStage.Configuration.self)
        registry.register(stage: "rooms", RoomsStage.Configuration.self)
        registry.register(stage: "max-payload", MaxPayloadStage.Configuration.self)
        registry.register(store: "memory", MemoryConnectionStore.Configuration.self)
        registry.register(roomDirectory: "memory-rooms", MemoryRoomDirectory.Configuration.self)
        return registry
    }

    public mutating func register(stage name: String, _ configuration: any StageConfiguration.Type) {
        stages[name] = configuration
    }

    public mutating func register(store type: String, _ configuration: any ConnectionStoreConfiguration.Type) {
        connectionStores[type] = configuration
    }

    public mutating func register(roomDirectory type: String, _ configuration: any RoomDirectoryConfiguration.Type) {
        roomDirectories[type] = configuration
    }

    public mutating func register(sink type: String, _ configuration: any SinkConfiguration.Type) {
        sinks[type] = configuration
    }

    public mutating func register(source type: String, _ configuration: any SourceConfiguration.Type) {
        sources[type] = configuration
    }
}
