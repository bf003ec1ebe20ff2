import Metrics

/// A route table made runnable: every room directory, connection store, sink and source built
/// once (directories first, so that the rooms filter can use them), one ``Pipeline`` per route,
/// and the event face of every kind of source the registry knows.
///
/// Guarantees: components are shared, never rebuilt per message, so a mode that builds one
/// `RouteSet` at start reuses its HTTP connections and caches for every message; a component
/// that cannot be built fails the whole set with an error naming it and its place in the file.
public struct RouteSet: Sendable {
    public let table: RouteTable
    public let connectionStores: [String: any ConnectionStore]
    public let roomDirectories: [String: any RoomDirectory]
    public let sinks: [String: any Sink]
    /// One pipeline per route, in the table's order.
    public let pipelines: [Pipeline]
    /// Every source of the table, in its order.
    public let sources: [any NotificationSource]
    /// The event faces of the source kinds, ordered by `type:`.
    public let eventReaders: [any SourceEventReader]
    /// Where the components' and the routes' metrics go.
    public let metrics: any MetricsFactory

    /// Builds the components with `resources` (the shared HTTP client, AWS access, …) available
    /// to every plugin through ``PluginContext/resource(_:)``, and their metrics made with
    /// `metrics`.
    public init(table: RouteTable, resources: [any Sendable], metrics: any MetricsFactory = MetricsSystem.factory) throws(PluginBuildError) {
        var context = PluginContext(resources: resources, metrics: metrics)
        var directories: [String: any RoomDirectory] = [:]
        for component in table.roomDirectories {
            let directory = try Self.build(component, "room directory", context) { try $0.makeDirectory($1) }
            directories[component.name] = directory
            context.add(roomDirectory: directory, named: component.name)
        }
        var stores: [String: any ConnectionStore] = [:]
        for component in table.connectionStores {
            let store = try Self.build(component, "connection store", context) { try $0.makeStore($1) }
            stores[component.name] = store
        }
        var sinks: [String: (sink: any Sink, store: String)] = [:]
        for component in table.sinks {
            let sink = try Self.build(component, "sink", context) { try $0.makeSink($1) }
            sinks[component.name] = (sink, component.configuration.store.name)
        }
        var sources: [any NotificationSource] = []
        for component in table.sources {
            sources.append(try Self.build(component, "source", context) { try $0.makeSource(name: component.name, $1) })
        }
        var pipelines: [Pipeline] = []
        for route in table.routes {
            var stages: [any FilterStage] = []
            for stage in route.stages {
                stages.append(try Self.build(stage, "filter", context) { try $0.makeStage($1) })
            }
            // The loader checked every reference, so the sink and its store exist.
            guard let target = sinks[route.to], let store = stores[target.store] else {
                throw PluginBuildError(.missingResource, "route '\(route.name)' at \(route.location): sink '\(route.to)' or its store was not built")
            }
            let split = try route.split.map { settings throws(PluginBuildError) in
                try Self.splitter(settings, route: route, store: store, storeName: target.store, sources: sources)
            }
            pipelines.append(Pipeline(route: route.name, stages: stages, store: store, sink: target.sink, onInvalid: route.onInvalid, split: split))
        }
        self.sources = sources
        self.eventReaders = table.sourceKinds.sorted { $0.key < $1.key }.compactMap { $0.value.eventReader(for: table, context: context) }
        self.metrics = metrics
        self.table = table
        self.connectionStores = stores
        self.roomDirectories = directories
        self.sinks = sinks.mapValues(\.sink)
        self.pipelines = pipelines
    }

    /// The pipelines that take a message from the source named `source` (nil: a message from
    /// no source the table names, e.g. a direct invocation) carrying `attributes`: routes whose
    /// `from` lists the source or is empty, and whose `match` the attributes satisfy.
    public func pipelines(forSource source: String?, attributes: [String: String] = [:]) -> [Pipeline] {
        zip(table.routes, pipelines).compactMap { route, pipeline in
            let fromMatches = route.from.isEmpty || source.map(route.from.contains) == true
            let attributesMatch = route.match.allSatisfy { name, values in attributes[name].map(values.contains) == true }
            return fromMatches && attributesMatch ? pipeline : nil
        }
    }

    /// The connection store the first route's sink reads: the table a gateway writes its
    /// connections to.
    public var primaryConnectionStore: (any ConnectionStore)? {
        guard let route = table.routes.first, let sink = table.sinks.first(where: { $0.name == route.to }) else { return nil }
        return connectionStores[sink.configuration.store.name]
    }

    /// What keeps the set from delivering now, one line per component (empty: ready). Each
    /// connection store reads the connections of a user nobody is (a DynamoDB Query); each
    /// sink runs ``Sink/checkReady(deadline:)``. All are probed at once.
    public func readinessProblems(deadline: ContinuousClock.Instant) async -> [String] {
        let probes: [(component: String, probe: @Sendable () async throws -> Void)] =
            connectionStores.map { name, store in
                ("connection store '\(name)'", { try await store.connections(of: ["notification-router-readiness-probe"]).forEach { _ in } })
            } + sinks.map { name, sink in ("sink '\(name)'", { try await sink.checkReady(deadline: deadline) }) }
        return await withTaskGroup(of: String?.self) { group in
            for (component, probe) in probes {
                group.addTask {
                    do {
                        try await probe()
                        return nil
                    } catch {
                        return "\(component): \(error)"
                    }
                }
            }
            var problems: [String] = []
            for await problem in group { if let problem { problems.append(problem) } }
            return problems.sorted()
        }
    }

    /// A split route's machinery: its work queue must be a source that can take tasks, and its
    /// store one that scans a segment at a time.
    private static func splitter(
        _ settings: SplitSettings, route: RouteTable.Route, store: any ConnectionStore, storeName: String, sources: [any NotificationSource]
    ) throws(PluginBuildError) -> Splitter {
        let place = "route '\(route.name)' at \(route.location)"
        guard let queue = sources.first(where: { $0.name == settings.via }) as? any WorkQueue else {
            throw PluginBuildError(.component, "\(place): split.via '\(settings.via)' cannot take tasks; it must be an sqs source")
        }
        guard let scanning = store as? any SegmentScanning else {
            throw PluginBuildError(.component, "\(place): split needs a store that scans one segment at a time (dynamodb, memory); '\(storeName)' does not")
        }
        return Splitter(settings: settings, queue: queue, store: scanning)
    }

    private static func build<Configuration, Built>(
        _ component: RouteTable.Component<Configuration>, _ kind: String, _ context: PluginContext,
        _ make: (Configuration, PluginContext) throws -> Built
    ) throws(PluginBuildError) -> Built {
        let place = "\(kind) '\(component.name)' (type \(component.type), \(component.location))"
        do {
            return try make(component.configuration, context)
        } catch let error as PluginBuildError {
            throw PluginBuildError(error.code, "\(place): \(error.message)")
        } catch {
            throw PluginBuildError(.component, "\(place): \(error)")
        }
    }
}
