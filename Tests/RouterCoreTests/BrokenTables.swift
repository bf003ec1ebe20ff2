import Foundation
import RouterCore
import Testing

/// Broken route tables and the exact error each must produce. Each file is valid but for
/// the one mistake its name says.
enum BrokenTables {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        var environment: String? = nil
        let expected: String
        var testDescription: String { name }
    }

    /// A valid rest of a file: a sink and a route (the sink's store comes with each case).
    static let sinkAndRoute = """
        sinks: { websocket: { type: recording } }
        routes: [{ name: r, to: websocket }]

        """

    /// `version` and a valid connection store.
    static let head = "version: 1\nstores:\n  connections: { type: memory }\n"

    static let all: [Case] = [
        Case(name: "YAML syntax", yaml: "version: 1\nstores: [a, b\n",
             expected: "routes.yaml:3:1: invalid YAML: the flow sequence that starts at line 2, column 9 ends without ']'"),
        Case(name: "not a mapping", yaml: "- 1\n",
             expected: "routes.yaml:1:1: expected a mapping with version, stores, sinks, sources and routes, got a list"),
        Case(name: "missing version", yaml: "stores:\n  connections: { type: memory }\n" + sinkAndRoute,
             expected: "routes.yaml:1:1: missing key 'version' (expected version: 1)"),
        Case(name: "wrong version", yaml: head.replacingOccurrences(of: "version: 1", with: "version: 2") + sinkAndRoute,
             expected: "routes.yaml:1:10: version: unsupported version '2'; expected 1"),
        Case(name: "unknown top-level key", yaml: head + "sink: {}\n" + sinkAndRoute,
             expected: "routes.yaml:4:1: sink: unknown key 'sink'; expected one of: version, environments, stores, sinks, sources, routes, serve"),
        Case(name: "unknown store type", yaml: head + "  cache: { type: redis }\n" + sinkAndRoute,
             expected: "routes.yaml:4:18: stores.cache.type: unknown type 'redis'; expected one of: memory, memory-rooms, recording-store"),
        Case(name: "missing type", yaml: head + "  cache: { table: t }\n" + sinkAndRoute,
             expected: "routes.yaml:4:10: stores.cache: missing key 'type' (expected one of: memory, memory-rooms, recording-store)"),
        Case(name: "unknown option", yaml: "version: 1\nstores:\n  connections: { type: memory, tabel: t }\n" + sinkAndRoute,
             expected: "routes.yaml:3:32: stores.connections.tabel: unknown key 'tabel'; expected one of: type"),
        Case(name: "duplicate store name", yaml: head + "  connections: { type: memory }\n" + sinkAndRoute,
             expected: "routes.yaml:3:3: invalid YAML: duplicate key 'connections' (again at line 4, column 3) in the mapping that starts here; each key may appear once"),
        Case(name: "dangling sink", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websockets }]\n",
             expected: "routes.yaml:5:25: routes[0].to: unknown sink 'websockets'; expected one of: websocket"),
        Case(name: "sink store of the wrong kind",
             yaml: head + "  rooms: { type: memory-rooms }\nsinks: { websocket: { type: recording, store: rooms } }\nroutes: [{ name: r, to: websocket }]\n",
             expected: "routes.yaml:5:47: sinks.websocket.store: unknown connection store 'rooms'; expected one of: connections ('rooms' is a room directory of type memory-rooms)"),
        Case(name: "dangling source", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, from: [queue], to: websocket }]\n",
             expected: "routes.yaml:5:27: routes[0].from: unknown source 'queue'; expected a source defined in this file (none is)"),
        Case(name: "duplicate route", yaml: head + "sinks: { websocket: { type: recording } }\nroutes:\n  - { name: r, to: websocket }\n  - { name: r, to: websocket }\n",
             expected: "routes.yaml:7:5: routes[1]: duplicate route name 'r' (first defined at line 6)"),
        Case(name: "unset variable", yaml: head + "  cache: { type: recording-store, table: \"x-${NOPE}\" }\n" + sinkAndRoute,
             expected: "routes.yaml:4:45: stores.cache.table: environment variable NOPE is not set (write ${NOPE:-default} to give a default)"),
        Case(name: "unknown filter", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [dedup] }]\n",
             expected: "routes.yaml:5:46: routes[0].filters[0]: unknown filter 'dedup'; expected one of: dedupe, exclude, max-payload, rooms"),
        Case(name: "bad duration", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [{ dedupe: { window: soon } }] }]\n",
             expected: "routes.yaml:5:66: routes[0].filters[0].dedupe.window: expected a duration such as 250ms, 30s, 5m or 2h, got 'soon'"),
        Case(name: "out of range", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [{ max-payload: { bytes: 0 } }] }]\n",
             expected: "routes.yaml:5:70: routes[0].filters[0].max-payload.bytes: expected an integer from 1 to 16777216, got '0'"),
        Case(name: "bad mode", yaml: head + "  rooms: { type: memory-rooms }\nsinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [{ rooms: { directory: rooms, mode: all } }] }]\n",
             expected: "routes.yaml:6:81: routes[0].filters[0].rooms.mode: expected one of: expand, restrict, got 'all'"),
        Case(name: "rooms filter without directory", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [rooms] }]\n",
             expected: "routes.yaml:5:46: routes[0].filters[0]: missing key 'directory' (expected the name of a room directory in stores)"),
        Case(name: "dangling room directory", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r, to: websocket, filters: [{ rooms: { directory: lobby } }] }]\n",
             expected: "routes.yaml:5:68: routes[0].filters[0].rooms.directory: unknown room directory 'lobby'; expected a room directory defined in this file (none is)"),
        Case(name: "no routes", yaml: head + "sinks: { websocket: { type: recording } }\n",
             expected: "routes.yaml:1:1: missing key 'routes' (expected a list of routes, each with a name and a 'to' sink)"),
        Case(name: "route without sink", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: r }]\n",
             expected: "routes.yaml:5:10: routes[0]: missing key 'to' (expected the name of a sink)"),
        Case(name: "bad route name", yaml: head + "sinks: { websocket: { type: recording } }\nroutes: [{ name: \"my route\", to: websocket }]\n",
             expected: "routes.yaml:5:18: routes[0].name: invalid name 'my route'; expected letters, digits, '-' and '_'"),
        Case(name: "unknown environment", yaml: head + sinkAndRoute + "environments:\n  prod: {}\n", environment: "dev",
             expected: "routes.yaml:7:3: environments: environment 'dev' (from --env or ROUTER_ENV) is not defined; defined: prod"),
        Case(name: "overlay with unknown key", yaml: head + sinkAndRoute + "environments:\n  dev: { stores: { connections: { size: 3 } } }\n", environment: "dev",
             expected: "routes.yaml:7:35: stores.connections.size: unknown key 'size'; expected one of: type"),
        Case(name: "serve with a bad port", yaml: head + sinkAndRoute + "serve: { host: 127.0.0.1, port: 80000 }\n",
             expected: "routes.yaml:6:33: serve.port: expected an integer from 0 to 65535, got '80000'"),
        Case(name: "serve with an unknown key", yaml: head + sinkAndRoute + "serve: { listen: 8080 }\n",
             expected: "routes.yaml:6:10: serve.listen: unknown key 'listen'; expected one of: host, port, shutdown_grace"),
        Case(name: "split via a source the route does not take",
             yaml: head + "sinks: { websocket: { type: recording } }\nsources: { queue: { type: recording-source }, work: { type: recording-source } }\n"
                + "routes: [{ name: r, from: [queue], to: websocket, split: { via: work } }]\n",
             expected: "routes.yaml:6:58: routes[0].split: via 'work' must be a source this route takes messages from (add it to 'from', which lists: queue)"),
        Case(name: "split with too many segments",
             yaml: head + "sinks: { websocket: { type: recording } }\nsources: { work: { type: recording-source } }\n"
                + "routes: [{ name: r, to: websocket, split: { via: work, segments: 5000 } }]\n",
             expected: "routes.yaml:6:66: routes[0].split.segments: expected an integer from 1 to 1000, got '5000'"),
        Case(name: "anchors and aliases (so no billion laughs)",
             yaml: "x1: &a [\"x\",\"x\"]\nx2: [*a,*a]\n" + head + sinkAndRoute,
             expected: "routes.yaml:1:5: invalid YAML: anchors (&) are not supported in route tables; repeat the value instead"),
    ]
}
