import Foundation
import RouterTestSupport
import Testing

/// `Examples/CustomSource`: a source written outside the package, registered with one line in
/// its own `main` and run by the daemon's wiring, against DynamoDB on moto and the fake
/// `@connections` server.
@Suite("custom source example")
struct CustomSourceExampleTests {
    @Test("newline-delimited requests from standard input reach exactly their connections; each line is acknowledged or returned as its outcome says")
    func linesFromStandardInput() async throws {
        let table = "lines-\(UUID().uuidString.prefix(8))"
        try MotoScripts.createTable(table, ["ann": ["a1", "a2"], "bob": ["b1"]])
        let server = FakeConnectionsServer(live: ["a1", "a2", "b1"])
        let result = try await server.run { url in
            let routes = FileManager.default.temporaryDirectory.appendingPathComponent("\(table).yaml")
            try """
                version: 1
                stores: { connections: { type: dynamodb, table: \(table) } }
                sinks: { websocket: { type: apigw, endpoint: "\(url)" } }
                sources: { stdin: { type: lines, path: "-" } }
                routes: [{ name: main, from: [stdin], filters: [exclude], to: websocket }]
                """.write(to: routes, atomically: true, encoding: .utf8)
            let input = [#"{"users":["ann"],"data":{"n":1}}"#, "", "not json", #"{"exclude_users":["ann"],"data":"all"}"#].joined(separator: "\n")
            return try await CommandResult.running(
                TestPeers.productsDirectory.appendingPathComponent("custom-source-example"), [routes.path],
                environment: try MotoScripts.awsEnvironment(), input: input)
        }
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "ack stdin:1\nreturn stdin:3\nack stdin:4\n", "\(result.standardError)")
        #expect(server.received.mapValues { $0.map { String(decoding: $0, as: UTF8.self) } } == ["a1": [#"{"n":1}"#], "a2": [#"{"n":1}"#], "b1": [#""all""#]])
        #expect(server.posts == 3)
    }
}
