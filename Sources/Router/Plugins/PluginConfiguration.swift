/// The validated options of one component of routes.yaml (a store, a room directory, a
/// sink, a source or a stage), made by its plugin from the component's mapping.
///
/// Every implementation guarantees that `init(options:)` reads each key it accepts through
/// `options` (the loader rejects every key left unread, listing the accepted ones) and
/// throws ``ConfigError``s located at the offending value.
public protocol PluginConfiguration: Sendable {
    init(options: inout ConfigMapping) throws(ConfigError)

    /// The resolved settings as `check` prints them, in a stable order, secrets masked.
    var settings: [ConfigSetting] { get }

    /// Other components this one names; the loader checks each exists and has the right kind.
    var references: [ConfigReference] { get }
}

extension PluginConfiguration {
    public var references: [ConfigReference] { [] }
}

/// Options of a connection store (`memory`, `dynamodb`, …), which also builds the store.
public protocol ConnectionStoreConfiguration: PluginConfiguration {
    func makeStore(_ context: PluginContext) throws(PluginBuildError) -> any ConnectionStore
}

/// Options of a room directory (`memory-rooms`, `dynamodb-rooms`, …), which also builds it.
public protocol RoomDirectoryConfiguration: PluginConfiguration {
    func makeDirectory(_ context: PluginContext) throws(PluginBuildError) -> any RoomDirectory
}

/// Options of a sink (`apigw`, …), which also builds the sink. A sink names the connection
/// store that its targets are read from and its gone connections are pruned from.
public protocol SinkConfiguration: PluginConfiguration {
    var store: ConfigReference { get }
    func makeSink(_ context: PluginContext) throws(PluginBuildError) -> any Sink
}

/// Options of a filter stage, which also builds the stage.
public protocol StageConfiguration: PluginConfiguration {
    func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage
}

/// One resolved setting, as `check` prints it.
public struct ConfigSetting: Sendable, Hashable {
    public let key: String
    public let value: String

    /// A setting printed as is.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// A duration setting, written as routes.yaml writes it (`5m`, `250ms`).
    public init(_ key: String, duration: Duration) {
        self.init(key, ConfigDuration.format(duration))
    }

    /// A setting whose value is never printed.
    public static func secret(_ key: String) -> ConfigSetting {
        ConfigSetting(key, "********")
    }
}

/// A name in one component's options that must be another component of a given kind.
public struct ConfigReference: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case connectionStore = "connection store"
        case roomDirectory = "room directory"
        case sink
        case source
    }

    public let kind: Kind
    public let name: String
    /// Where the name is written, for the error when it does not exist.
    public let location: ConfigLocation
    public let path: String

    public init(_ kind: Kind, _ name: String, at value: ConfigValue) {
        self.kind = kind
        self.name = name
        self.location = value.location
        self.path = value.path
    }
}
