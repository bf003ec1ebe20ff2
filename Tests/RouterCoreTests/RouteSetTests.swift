import RouterCore
import Testing

@Suite("route set")
struct RouteSetTests {
    static let yaml = """
        version: 1
        stores:
          connections: { type: memory }
          rooms: { type: memory-rooms }
        sinks:
          websocket: { type: recording }
        sources:
          queue: { type: recording-source }
          topic: { type: recording-source }
        routes:
          - { name: from-queue, from: [queue], filters: [{ rooms: { directory: rooms } }], to: websocket }
          - { name: alerts, from: [queue, topic], match: { kind: [alert, page] }, to: websocket, on_invalid: drop }
          - { name: anything, to: websocket }
        """

    static func routeSet() throws -> RouteSet {
        let table = try RouteTableLoader(registry: .testing, variables: [:]).load(yaml: yaml, file: "routes.yaml")
        return try RouteSet(table: table, resources: [])
    }

    @Test("a message takes the routes whose from lists its source (or is empty) and whose match its attributes satisfy")
    func selection() throws {
        let routes = try Self.routeSet()
        #expect(routes.pipelines(forSource: "queue").map(\.route) == ["from-queue", "anything"])
        #expect(routes.pipelines(forSource: "queue", attributes: ["kind": "page"]).map(\.route) == ["from-queue", "alerts", "anything"])
        #expect(routes.pipelines(forSource: "topic", attributes: ["kind": "chat"]).map(\.route) == ["anything"])
        #expect(routes.pipelines(forSource: nil).map(\.route) == ["anything"])
    }

    @Test("components are built once and shared; on_invalid reaches the pipeline")
    func sharing() throws {
        let routes = try Self.routeSet()
        let stores = routes.pipelines.map { ObjectIdentifier($0.store as! MemoryConnectionStore) }
        #expect(Set(stores).count == 1)
        #expect(routes.primaryConnectionStore as? MemoryConnectionStore === routes.pipelines[0].store as? MemoryConnectionStore)
        #expect(routes.pipelines.map(\.onInvalid) == [.dlq, .drop, .dlq])
        #expect(routes.pipelines[0].stages.map(\.name) == ["rooms"])
    }

    @Test("a component that cannot be built fails the set with its name, type and place")
    func buildError() throws {
        var registry = PluginRegistry.testing
        registry.register(store: "needs-resource", NeedsResourceStoreConfiguration.self)
        let table = try RouteTableLoader(registry: registry, variables: [:]).load(yaml: """
            version: 1
            stores: { connections: { type: needs-resource } }
            sinks: { websocket: { type: recording } }
            routes: [{ name: r, to: websocket }]
            """, file: "routes.yaml")
        #expect(throws: PluginBuildError.self) { try RouteSet(table: table, resources: []) }
        do {
            _ = try RouteSet(table: table, resources: [])
        } catch {
            #expect(error.code == .missingResource, "the plugin's own code survives the wrapping")
            #expect(error.description == "connection store 'connections' (type needs-resource, routes.yaml:2:11): this program provides no Int to build the component with")
        }
    }

    @Test("a split route whose work queue cannot take tasks fails to build, naming the route and the source")
    func splitNeedsAQueue() throws {
        let table = try RouteTableLoader(registry: .testing, variables: [:]).load(yaml: """
            version: 1
            stores: { connections: { type: memory } }
            sinks: { websocket: { type: recording } }
            sources: { work: { type: recording-source } }
            routes: [{ name: r, to: websocket, split: { via: work } }]
            """, file: "routes.yaml")
        #expect(table.routes.first?.split == SplitSettings(via: "work"))
        do {
            _ = try RouteSet(table: table, resources: [])
            Issue.record("a split through a source that cannot take tasks was built")
        } catch {
            #expect(error.description == "route 'r' at routes.yaml:5:10: split.via 'work' cannot take tasks; it must be an sqs source")
        }
    }
}
