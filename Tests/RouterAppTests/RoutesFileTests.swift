import Foundation
import RouterApp
import RouterCore
import RouterTestSupport
import Testing

@Suite("Route table files")
struct RoutesFileTests {
    static let repositoryRoutes = TestPeers.packageRoot.appendingPathComponent("routes.yaml").path

    @Test("the repository's routes.yaml loads, with and without the dev overlay")
    func repositoryFile() throws {
        let file = RoutesFile(explicit: Self.repositoryRoutes, environment: [:])
        let table = try file.load(environment: [:], environmentName: nil)
        #expect(table.connectionStores.map(\.type) == ["dynamodb"])
        #expect(table.roomDirectories.map(\.type) == ["dynamodb-rooms"])
        #expect(table.sinks.map(\.type) == ["apigw"] && table.sources.map(\.type).sorted() == ["sns", "sqs"])
        #expect(table.routes.first?.stages.map(\.name) == ["dedupe", "rooms", "exclude", "max-payload"])
        let dev = try file.load(environment: [:], environmentName: "dev")
        #expect(dev.connectionStores.map(\.type) == ["memory"] && dev.roomDirectories.map(\.type) == ["memory-rooms"])
        #expect(dev.sinks.first?.configuration.settings.first == ConfigSetting("endpoint", "http://127.0.0.1:8080"))
    }

    @Test("the repository's routes.yaml reads its variables")
    func repositoryVariables() throws {
        let environment = ["CONNECTIONS_TABLE_NAME": "prod-conns", "APIGW_ENDPOINT": "https://x1.execute-api.eu-west-1.amazonaws.com/prod"]
        let table = try RoutesFile(explicit: Self.repositoryRoutes, environment: environment).load(environment: environment, environmentName: nil)
        let rendered = RouteTablePrinter.render(table)
        #expect(rendered.contains("table: prod-conns"))
        #expect(rendered.contains("endpoint: https://x1.execute-api.eu-west-1.amazonaws.com/prod"))
        #expect(rendered.contains("region: eu-west-1"))
    }

    @Test("without a file, the built-in default is the original pusher's behaviour from its two variables")
    func builtinDefault() throws {
        let environment = ["CONNECTIONS_TABLE_NAME": "connections", "APIGW_ENDPOINT": "https://abc.execute-api.us-east-1.amazonaws.com/prod"]
        let file = RoutesFile(explicit: nil, environment: environment, fileExists: { _ in false })
        #expect(file.path == nil)
        let table = try file.load(environment: environment, environmentName: nil)
        #expect(table.origin == "built-in default")
        #expect(table.routes.map(\.name) == ["default"] && table.routes[0].stages.map(\.name) == ["dedupe", "exclude"])
        #expect(table.connectionStores.first?.configuration.settings.first == ConfigSetting("table", "connections"))
        #expect(table.routes[0].from.isEmpty)
    }

    @Test("the built-in default names the variables it misses")
    func builtinDefaultMissingVariables() {
        let file = RoutesFile(explicit: nil, environment: [:], fileExists: { _ in false })
        do {
            _ = try file.load(environment: [:], environmentName: nil)
            Issue.record("loaded without its variables")
        } catch {
            #expect(error.errors.map(\.message) == [
                "environment variable CONNECTIONS_TABLE_NAME is not set (write ${CONNECTIONS_TABLE_NAME:-default} to give a default)",
                "environment variable APIGW_ENDPOINT is not set (write ${APIGW_ENDPOINT:-default} to give a default)",
            ])
        }
    }

    @Test("the built-in dev environment needs no AWS variables")
    func builtinDev() throws {
        let table = try RoutesFile(explicit: nil, environment: [:], fileExists: { _ in false }).load(environment: [:], environmentName: "dev")
        #expect(table.connectionStores.map(\.type) == ["memory"])
    }

    @Test("the file is found in order: --routes, ./routes.yaml, $LAMBDA_TASK_ROOT/routes.yaml")
    func lookupOrder() {
        let both: Set = ["routes.yaml", "/var/task/routes.yaml"]
        #expect(RoutesFile(explicit: "x.yaml", environment: [:], fileExists: both.contains).path == "x.yaml")
        #expect(RoutesFile(explicit: nil, environment: ["LAMBDA_TASK_ROOT": "/var/task"], fileExists: both.contains).path == "routes.yaml")
        #expect(RoutesFile(explicit: nil, environment: ["LAMBDA_TASK_ROOT": "/var/task"], fileExists: { $0 == "/var/task/routes.yaml" }).path == "/var/task/routes.yaml")
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        #expect(throws: ConfigErrors.self) { try RoutesFile(explicit: "/nonexistent/routes.yaml", environment: [:]).load(environment: [:], environmentName: nil) }
    }
}
