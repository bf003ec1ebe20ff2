// A user-defined filter stage, registered with one line and used from routes.yaml.
//
// `require-id` rejects requests without an `id`, for producers that must always send an
// idempotency key. Run it with `swift run custom-stage-example`.

import Logging
import RouterApp
import RouterCore
import Synchronization

/// `require-id`: a request without `id` is invalid. Option `except_broadcast: true` lets
/// broadcasts through without one.
struct RequireIDStage: FilterStage {
    var name: String { "require-id" }
    let exceptBroadcast: Bool

    func process(_ delivery: Delivery) async throws -> StageDecision {
        if delivery.request.id != nil || (exceptBroadcast && delivery.audience.target == .broadcast) {
            return .pass(delivery)
        }
        return .drop(.invalid("missing_id", "this route requires an id on every request"))
    }

    struct Configuration: StageConfiguration {
        let exceptBroadcast: Bool

        init(options: inout ConfigMapping) throws(ConfigError) {
            exceptBroadcast = try options.optional("except_broadcast")?.bool() ?? false
        }

        var settings: [ConfigSetting] { [ConfigSetting("except_broadcast", "\(exceptBroadcast)")] }

        func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage {
            RequireIDStage(exceptBroadcast: exceptBroadcast)
        }
    }
}

var registry = PluginRegistry.builtin
registry.register(stage: "require-id", RequireIDStage.Configuration.self)  // the one registration line

let table = try RouteTableLoader(registry: registry, variables: [:]).load(yaml: """
    version: 1
    stores: { connections: { type: memory } }
    sinks: { websocket: { type: apigw, endpoint: "http://127.0.0.1:8080" } }
    routes:
      - name: strict
        filters: [require-id, { require-id: { except_broadcast: true } }, exclude]
        to: websocket
    """, file: "example.yaml")
print(RouteTablePrinter.render(table))

// Run the route's stages in memory, with a sink that prints instead of posting.
struct PrintingSink: Sink {
    func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let delivered = Mutex(0)
        var report = SinkReport()
        do {
            try await connections.forEach { batch in delivered.withLock { $0 += batch.count } }
        } catch {
            report.readError = "\(error)"
        }
        report.delivered = delivered.withLock { $0 }
        return report
    }
}

let context = PluginContext()
let stages = try table.routes[0].stages.map { try $0.configuration.makeStage(context) }
let store = MemoryConnectionStore(connections: [Connection(userID: "alice", connectionID: "a1")])
let pipeline = Pipeline(route: "strict", stages: stages, store: store, sink: PrintingSink())
let logger = Logger(label: "example")
for body in [#"{"users":["alice"],"data":1}"#, #"{"id":"n-1","users":["alice"],"data":1}"#] {
    let report = await pipeline.deliver(Array(body.utf8), deadline: .now + .seconds(5), logger: logger)
    print("\(body) -> \(report.outcome), delivered \(report.delivered)")
}
