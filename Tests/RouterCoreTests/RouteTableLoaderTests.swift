import RouterCore
import Testing

@Suite("routes.yaml loader")
struct RouteTableLoaderTests {
    static let loader = RouteTableLoader(registry: .testing, variables: ["TABLE": "conns", "EMPTY": ""])

    static let valid = """
        version: 1
        stores:
          connections: { type: memory }
          rooms: { type: memory-rooms }
        sinks:
          websocket: { type: recording, store: connections }
        routes:
          - name: main
            filters:
              - dedupe: { window: 2m }
              - rooms: { directory: rooms, mode: restrict }
              - exclude
              - max-payload
            to: websocket
        environments:
          dev:
            sinks: { websocket: { store: other } }
            stores: { other: { type: memory } }
        """

    @Test("a valid table loads with its stages in order and their options")
    func loadsValid() throws {
        let table = try Self.loader.load(yaml: Self.valid, file: "routes.yaml")
        #expect(table.connectionStores.map(\.name) == ["connections"])
        #expect(table.roomDirectories.map(\.name) == ["rooms"])
        let route = try #require(table.routes.first)
        #expect(route.stages.map(\.name) == ["dedupe", "rooms", "exclude", "max-payload"])
        #expect(route.stages[0].configuration.settings.first == ConfigSetting("window", "2m"))
        #expect(route.stages[1].configuration.settings == [ConfigSetting("directory", "rooms"), ConfigSetting("mode", "restrict")])
        #expect(route.stages[3].configuration.settings == [ConfigSetting("bytes", "131072")])
    }

    @Test("the serve section is read, and an environment can change it; without one it is empty")
    func serveSection() throws {
        let yaml = Self.valid + "\n" + """
            serve: { host: 127.0.0.1, port: 9090, shutdown_grace: 45s }
            """
        let table = try Self.loader.load(yaml: yaml, file: "routes.yaml")
        #expect(table.serve == ServeSettings(host: "127.0.0.1", port: 9090, shutdownGrace: .seconds(45)))
        #expect(try Self.loader.load(yaml: Self.valid, file: "routes.yaml").serve == ServeSettings())
    }

    @Test("an environment overlay merges into the base")
    func overlay() throws {
        let table = try Self.loader.load(yaml: Self.valid, file: "routes.yaml", environment: "dev")
        #expect(table.environment == "dev")
        #expect(table.connectionStores.map(\.name).sorted() == ["connections", "other"])
        #expect(table.sinks.first?.configuration.store.name == "other")
    }

    @Test("an overlay that changes a component's type replaces it whole")
    func overlayReplacesType() throws {
        let yaml = """
            version: 1
            stores:
              connections: { type: recording-store, table: "${UNSET_TABLE}" }
            sinks: { websocket: { type: recording } }
            routes: [{ name: r, to: websocket }]
            environments:
              dev: { stores: { connections: { type: memory } } }
            """
        let table = try Self.loader.load(yaml: yaml, file: "f.yaml", environment: "dev")
        #expect(table.connectionStores.first?.type == "memory")
    }

    @Test("variables expand, with defaults for unset or empty ones")
    func variables() throws {
        let yaml = """
            version: 1
            stores: { connections: { type: recording-store, table: "${TABLE}-${MISSING:-x}-${EMPTY:-y}-$${LITERAL}" } }
            sinks: { websocket: { type: recording } }
            routes: [{ name: r, to: websocket }]
            """
        let table = try Self.loader.load(yaml: yaml, file: "f.yaml")
        #expect(table.connectionStores.first?.configuration.settings == [ConfigSetting("table", "conns-x-y-${LITERAL}")])
    }

    /// Each broken file gives one precise error: file:line:column, key path, what was expected.
    @Test("broken route tables name file, line, column, key path and the expectation", arguments: BrokenTables.all)
    func brokenTables(_ broken: BrokenTables.Case) {
        do {
            _ = try Self.loader.load(yaml: broken.yaml, file: "routes.yaml", environment: broken.environment)
            Issue.record("\(broken.name): loaded without error")
        } catch {
            #expect(error.errors.map(\.description) == [broken.expected], "\(broken.name)")
        }
    }

    @Test("all errors of a file are reported together")
    func manyErrors() {
        let yaml = """
            version: 1
            stores:
              a: { type: nope }
              b: { type: memory, extra: 1 }
            sinks: { websocket: { type: recording, store: a } }
            routes: [{ name: r, to: websocket, filters: [bogus] }]
            """
        #expect(throws: ConfigErrors.self) { try Self.loader.load(yaml: yaml, file: "f.yaml") }
        do { _ = try Self.loader.load(yaml: yaml, file: "f.yaml") } catch {
            #expect(error.errors.count == 3)
            #expect(error.errors.map(\.location.line) == [3, 4, 6])
        }
    }
}
