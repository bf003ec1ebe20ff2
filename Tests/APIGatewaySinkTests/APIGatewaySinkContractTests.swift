import AWSCore
import APIGatewaySink
import Foundation
import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// Every outcome class of DESIGN §3 against the fake `@connections` server.
@Suite("API Gateway sink contract")
struct APIGatewaySinkContractTests {
    static let payload = try! Payload(json: Array(#"{"type":"notification","message":"héllo"}"#.utf8))

    @Test("200: delivered, the exact bytes, to ids with '=', '+' and '/', under the base path")
    func delivers() async throws {
        let ids = ["Ab+c/d=", "plain", "x=="]
        let server = FakeConnectionsServer(live: ids, basePath: "/prod")
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(ids)]), deadline: .now + .seconds(60))
        }
        #expect(report.delivered == 3 && report.isComplete)
        #expect(server.received.mapValues { $0 } == Dictionary(uniqueKeysWithValues: ids.map { ($0, [Self.payload.bytes]) }))
    }

    @Test("410: the connection is reported gone, not delivered")
    func gone() async throws {
        let server = FakeConnectionsServer(live: ["live"])
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(["live", "left"])]), deadline: .now + .seconds(60))
        }
        #expect(report.delivered == 1 && report.gone.map(\.connectionID) == ["left"] && report.isComplete)
    }

    @Test("403: the request fails fast: nothing more is posted, and it will be retried")
    func forbidden() async throws {
        let ids = (0..<200).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .status(403)) }
        let report = try await server.run { url in
            try await SinkHarness.sink(url, options: "max_in_flight: 4").deliver(Self.payload, to: .batches([SinkHarness.connections(ids)]), deadline: .now + .seconds(60))
        }
        #expect(report.forbidden >= 1 && report.forbidden <= 4, "only the posts already in flight")
        #expect(server.posts == report.forbidden)
        #expect(!report.isComplete && report.delivered == 0)
    }

    @Test("429: retried with backoff until delivered, counted as throttled")
    func throttled() async throws {
        let server = FakeConnectionsServer(live: ["a", "b"])
        server.setRatios(throttled: 0.5)
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(["a", "b"])]), deadline: .now + .seconds(30))
        }
        #expect(report.delivered == 2 && report.isComplete)
        #expect(server.received.values.allSatisfy { $0.count == 1 })
    }

    @Test("500: retried; a connection that keeps failing ends failed and the request is retried")
    func serverErrors() async throws {
        let server = FakeConnectionsServer(live: ["ok", "broken"])
        server.set("broken", .status(500))
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(["ok", "broken"])]), deadline: .now + .seconds(60))
        }
        #expect(report.delivered == 1 && report.failed == 1 && !report.isComplete)
        #expect(server.posts == 1 + 6, "six attempts at the broken connection")
    }

    @Test("400 and 413: rejected for that connection only, not retried")
    func rejected() async throws {
        let server = FakeConnectionsServer(live: ["bad", "big", "ok"])
        server.set("bad", .status(400))
        server.set("big", .status(413))
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(["bad", "big", "ok"])]), deadline: .now + .seconds(60))
        }
        #expect(report.rejected == 2 && report.delivered == 1 && report.isComplete)
        #expect(server.posts == 3)
    }

    @Test("401, 404 and an unexplained 4xx say the setup is wrong: the request stops and is kept for retry, never completed", arguments: [401, 404, 405])
    func setupErrors(status: Int) async throws {
        let ids = (0..<20).map { "c\($0)" }
        let server = FakeConnectionsServer(live: ids)
        for id in ids { server.set(id, .status(status)) }
        let report = try await server.run { url in
            try await SinkHarness.sink(url, options: "max_in_flight: 4").deliver(Self.payload, to: .batches([SinkHarness.connections(ids)]), deadline: .now + .seconds(60))
        }
        #expect(report.forbidden >= 1 && report.forbidden <= 4 && report.rejected == 0, "\(report)")
        #expect(!report.isComplete && report.delivered == 0)
        #expect(server.posts == report.forbidden, "no post starts after the first answer")
    }

    @Test("408: a request timeout is transient, retried until delivered")
    func requestTimeout() async throws {
        let server = FakeConnectionsServer(live: ["slow"])
        server.set("slow", .failFirstWith(2, status: 408))
        let report = try await server.run { url in
            try await SinkHarness.sink(url).deliver(Self.payload, to: .batches([SinkHarness.connections(["slow"])]), deadline: .now + .seconds(60))
        }
        #expect(report.delivered == 1 && report.isComplete && report.rejected == 0)
        #expect(server.posts == 3)
    }

    @Test("posts are signed for execute-api in the endpoint's region")
    func signed() async throws {
        let seen = SeenHeaders()
        _ = try await FakeHTTPServer.with({ request in
            seen.record(request.header("Authorization") ?? "")
            return FakeResponse(status: 200)
        }) { url in
            try await SinkHarness.sink(url, options: "region: eu-central-1").deliver(Self.payload, to: .batches([SinkHarness.connections(["a"])]), deadline: .now + .seconds(60))
        }
        #expect(seen.values.first?.contains("/eu-central-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=") == true)
    }

    @Test("the fake answers GET and DELETE like API Gateway")
    func fakeManagementAPI() async throws {
        let server = FakeConnectionsServer(live: ["a"])
        let statuses = try await server.run { url in
            let client = AWSClient(httpClient: SinkHarness.httpClient, credentials: SinkHarness.credentials, endpoints: AWSEndpoints(environment: [:]))
            var statuses: [String] = []
            for method in ["GET", "DELETE", "GET", "DELETE"] {
                do {
                    _ = try await client.send(method: method, url: url, path: "/@connections/a", service: "execute-api", region: "us-east-1", headers: [], body: [], deadline: .now + .seconds(60))
                    statuses.append("ok")
                } catch let error as AWSError {
                    statuses.append(error.code)
                }
            }
            return statuses
        }
        #expect(statuses == ["ok", "ok", "GoneException", "GoneException"])
    }
}

final class SeenHeaders: Sendable {
    private let state = Mutex<[String]>([])
    func record(_ value: String) { state.withLock { $0.append(value) } }
    var values: [String] { state.withLock { $0 } }
}
