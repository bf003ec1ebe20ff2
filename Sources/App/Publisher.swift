import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import RouterCore

/// `notification-router publish`: sends one notification request to a source's publish face
/// (``RouterCore/NotificationSource/publish(_:deadline:)``) or to a local gateway's `POST
/// /publish`. The request is checked with the router's own parser first, so a bad one fails
/// here with the reason instead of in the router's log.
public enum Publisher {
    public enum Target: Sendable {
        /// A dev gateway's base URL.
        case local(String)
        /// A source of the route table, by name.
        case source(String)
        /// An SQS queue by URL or ARN: an `sqs` source made for this one message.
        case queue(String)
        /// An SNS topic by ARN: an `sns` source made for this one message.
        case topic(String)
    }

    /// What happened: the text to print (the reports, or the message id) and whether the
    /// request was accepted (and, locally, delivered).
    public struct Outcome: Sendable {
        public let output: String
        public let succeeded: Bool
    }

    /// The request made from `publish`'s flags; `data` is kept byte for byte.
    public static func compose(users: [String], exclude: [String], rooms: [String], data: String) -> String {
        func list(_ key: String, _ values: [String]) -> String? {
            guard !values.isEmpty else { return nil }
            return "\"\(key)\":\(json(values))"
        }
        let fields = [list("users", users), list("exclude_users", exclude), list("rooms", rooms)].compactMap { $0 } + ["\"data\":\(data)"]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Sends `request`; a named source is looked up in the table `routes` loads.
    public static func send(
        _ request: String, to target: Target, routes: RoutesFile, environment: [String: String], environmentName: String?
    ) async throws -> Outcome {
        do {
            _ = try RequestParser().parse(Array(request.utf8))
        } catch {
            throw RouterAppError(.invalidRequest, "the request is invalid: \(error.reason)")
        }
        switch target {
        case .local(let url):
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            var post = HTTPClientRequest(url: base + "/publish")
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/json")
            post.body = .bytes(ByteBuffer(string: request))
            let response = try await HTTPClient.shared.execute(post, deadline: .now() + .seconds(60))
            let body = try await response.body.collect(upTo: 1 << 20)
            var answer = String(buffer: body)
            if answer.hasSuffix("\n") { answer.removeLast() }  // printed with its own newline
            return Outcome(output: answer, succeeded: response.status == .ok)
        case .source(let name):
            let table = try routes.load(environment: environment, environmentName: environmentName)
            guard let component = table.sources.first(where: { $0.name == name }) else { throw RouterAppError(.unknownSource, table.noSource(named: name)) }
            return try await publish(request, through: component, environment: environment)
        case .queue(let queue):
            return try await publish(request, toNew: "sqs", ["queue": queue], environment: environment)
        case .topic(let topic):
            return try await publish(request, toNew: "sns", ["topic": topic], environment: environment)
        }
    }

    /// Publishes through a source of `type` with `options` (as routes.yaml would write them),
    /// built through the registry like every source.
    private static func publish(_ request: String, toNew type: String, _ options: [String: String], environment: [String: String]) async throws -> Outcome {
        let entry = options.sorted { $0.key < $1.key }.map { "\($0.key): \(json($0.value))" }.joined(separator: ", ")
        let sources = try RouteTableLoader(registry: .builtin, variables: environment)
            .loadSources(yaml: "target: { type: \(type), \(entry) }", file: "the command line")
        return try await publish(request, through: sources[0], environment: environment)
    }

    /// Builds `component` on the process's AWS access, publishes, and closes the access's HTTP
    /// client; the message id is the output.
    private static func publish(
        _ request: String, through component: RouteTable.Component<any SourceConfiguration>, environment: [String: String]
    ) async throws -> Outcome {
        let resources = ProcessResources(environment: environment)
        let sent: Result<String, any Error>
        do {
            let source = try component.configuration.makeSource(name: component.name, PluginContext(resources: [resources.aws, resources.httpClient]))
            sent = .success(try await source.publish(Array(request.utf8), deadline: .now + .seconds(60)))
        } catch {
            sent = .failure(error)
        }
        try await resources.shutdown()
        return Outcome(output: try sent.get(), succeeded: true)
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
