import Metrics

/// What a plugin may use when its component is built: the room directories built before it,
/// by name, the metrics factory its counters are made with, and the process's shared
/// resources (an HTTP client, AWS access), which the app provides by type so that RouterCore
/// needs to know none of them.
public struct PluginContext: Sendable {
    /// Where the component's counters, meters and timers go (Prometheus in the daemon, a
    /// `TestMetrics` in tests).
    public let metrics: any MetricsFactory
    private var roomDirectories: [String: any RoomDirectory]
    private let resources: [ObjectIdentifier: any Sendable]

    public init(resources: [any Sendable] = [], metrics: any MetricsFactory = MetricsSystem.factory, roomDirectories: [String: any RoomDirectory] = [:]) {
        self.metrics = metrics
        var byType: [ObjectIdentifier: any Sendable] = [:]
        for resource in resources { byType[ObjectIdentifier(type(of: resource))] = resource }
        self.resources = byType
        self.roomDirectories = roomDirectories
    }

    /// Makes a built room directory available to the components built after it.
    mutating func add(roomDirectory directory: any RoomDirectory, named name: String) {
        roomDirectories[name] = directory
    }

    /// The room directory named `name` in routes.yaml.
    public func roomDirectory(named name: String) throws(PluginBuildError) -> any RoomDirectory {
        guard let directory = roomDirectories[name] else { throw PluginBuildError(.missingResource, "room directory '\(name)' has not been built") }
        return directory
    }

    /// The shared resource of type `T` the app provided.
    public func resource<T: Sendable>(_ type: T.Type) throws(PluginBuildError) -> T {
        guard let resource = resources[ObjectIdentifier(type)] as? T else {
            throw PluginBuildError(.missingResource, "this program provides no \(T.self) to build the component with")
        }
        return resource
    }
}
