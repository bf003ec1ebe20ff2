import Foundation
import RouterTestSupport
import Testing

/// The real binary's `check`, `version` and usage contract (DESIGN §4: exit 0, 1, 2).
@Suite("notification-router check")
struct CheckCommandTests {
    static let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router")

    func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> CommandResult {
        try CommandResult.run(Self.binary, arguments, environment: environment)
    }

    @Test("check prints the resolved table of the repository's routes.yaml and exits 0")
    func checksRepositoryFile() throws {
        let routes = TestPeers.packageRoot.appendingPathComponent("routes.yaml").path
        let result = try run(["check", routes, "--env", "dev"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("route table: \(routes) (environment: dev)"))
        #expect(result.standardOutput.contains("  connections (memory)"))
        #expect(result.standardOutput.contains("    1. dedupe window=5m capacity=100000"))
        #expect(result.standardOutput.contains("serve\n  host: 0.0.0.0\n  port: 8080\n  shutdown_grace: 30s"))
    }

    @Test("the binary links FoundationEssentials but not Foundation, whose ICU data would double the Lambda package")
    func linksNoFoundation() throws {
        let libraries = try CommandResult.run(URL(fileURLWithPath: "/usr/bin/ldd"), [Self.binary.path])
        try #require(libraries.status == 0, "\(libraries.standardError)")
        #expect(libraries.standardOutput.contains("libFoundationEssentials"))
        for library in ["libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU"] {
            #expect(!libraries.standardOutput.contains(library), "the binary links \(library): a product module imports Foundation")
        }
    }

    @Test("ROUTER_ENV chooses the environment like --env")
    func routerEnv() throws {
        let routes = TestPeers.packageRoot.appendingPathComponent("routes.yaml").path
        let result = try run(["check", routes], environment: ["ROUTER_ENV": "dev"])
        #expect(result.standardOutput.contains("(environment: dev)"))
    }

    @Test("a broken file prints every error with file:line:column and exits 1")
    func brokenFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).yaml")
        try """
            version: 1
            stores: { connections: { type: dynamodb } }
            sinks: { websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}" } }
            routes: [{ name: main, to: websocket, filters: [dedupe, excluded] }]
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(["check", file.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(file.path):2:24: stores.connections: missing key 'table' (expected a DynamoDB table name)"))
        #expect(result.standardError.contains("\(file.path):3:47: sinks.websocket.endpoint: environment variable APIGW_ENDPOINT is not set"))
        #expect(result.standardError.contains("\(file.path):4:57: routes[0].filters[1]: unknown filter 'excluded'; expected one of: dedupe, exclude, max-payload, rooms"))
        #expect(result.standardError.contains("3 errors in \(file.path)"))
    }

    @Test("bad usage exits 2; --help and version exit 0")
    func usage() throws {
        #expect(try run(["check", "--no-such-flag"]).status == 2)
        #expect(try run(["frobnicate"]).status == 2)
        let help = try run(["check", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("--env"))
        let version = try run(["version"])
        #expect(version.status == 0 && version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test("the test peers are provisioned by scripts/test.sh (required under CI)")
    func peers() throws {
        guard let moto = TestPeers.motoURL, let python = TestPeers.python else {
            if TestPeers.isCI { Issue.record("MOTO_URL and TEST_PYTHON must be set by scripts/test.sh under CI") }
            return
        }
        let answer = try CommandResult.run(URL(fileURLWithPath: python), ["-c", """
            import urllib.request, websockets
            print(urllib.request.urlopen("\(moto)/moto-api/").status)
            """])
        #expect(answer.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "200", "\(answer.standardError)")
    }
}

/// The user-defined stage example builds and runs: its stage is registered, loaded from
/// YAML, and rejects a request without an id while passing one with it.
@Suite("Custom stage example")
struct CustomStageExampleTests {
    @Test("the example registers require-id and uses it")
    func runs() throws {
        let result = try CommandResult.run(TestPeers.productsDirectory.appendingPathComponent("custom-stage-example"), [])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("2. require-id except_broadcast=true"))
        #expect(result.standardOutput.contains(#"{"users":["alice"],"data":1} -> invalid(reason: "require-id: this route requires an id on every request"), delivered 0"#))
        #expect(result.standardOutput.contains(#"{"id":"n-1","users":["alice"],"data":1} -> completed, delivered 1"#))
    }
}
