import AWSCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RouterCore
import SNSSource
import SQSSource

/// `notification-router publish`: sends one notification request to a local gateway's
/// `POST /publish`, an SQS queue or an SNS topic. The request is checked with the router's own
/// parser first, so a bad one fails here with the reason instead of in the router's log.
public enum Publisher {
    public enum Target: Sendable {
        /// A dev gateway's base URL.
        case local(String)
        case queue(SQSQueue)
        case topic(ARN)
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
            let encoded = (try? JSONSerialization.data(withJSONObject: values)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            return "\"\(key)\":\(encoded)"
        }
        let fields = [list("users", users), list("exclude_users", exclude), list("rooms", rooms)].compactMap { $0 } + ["\"data\":\(data)"]
        return "{" + fields.joined(separator: ",") + "}"
    }

    public static func send(_ request: String, to target: Target, environment: [String: String]) async throws -> Outcome {
        do {
            _ = try RequestParser().parse(Array(request.utf8))
        } catch {
            throw RouterAppError("the request is invalid: \(error.reason)")
        }
        let deadline = ContinuousClock.now + .seconds(60)
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
            return Outcome(output: String(buffer: body), succeeded: response.status == .ok)
        case .queue(let queue):
            return try await withAWS(environment) { aws in
                try await SQSClient(aws: aws).sendMessage(request, to: queue, deadline: deadline)
            }
        case .topic(let topic):
            return try await withAWS(environment) { aws in
                try await SNSClient(aws: aws).publish(request, to: topic, deadline: deadline)
            }
        }
    }

    /// Runs `send` with the process's AWS access (the same chain and endpoints as every
    /// mode), closing its client afterwards; the message id is the output.
    private static func withAWS(_ environment: [String: String], _ send: (AWSClient) async throws -> String) async throws -> Outcome {
        let resources = ProcessResources(environment: environment)
        let sent: Result<String, any Error>
        do {
            sent = .success(try await send(resources.aws.client))
        } catch {
            sent = .failure(error)
        }
        try await resources.shutdown()
        return Outcome(output: try sent.get(), succeeded: true)
    }
}
