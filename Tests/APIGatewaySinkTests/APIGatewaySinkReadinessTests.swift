import APIGatewaySink
import RouterCore
import RouterTestSupport
import Testing

/// `/readyz` asks the sink whether it can post: a signed GET of an id nobody has.
@Suite("API Gateway sink readiness")
struct APIGatewaySinkReadinessTests {
    @Test("410 for the probe id is ready; a signed GET, never a post")
    func ready() async throws {
        let server = FakeConnectionsServer(live: ["a"])
        try await server.run { url in
            try await SinkHarness.sink(url).checkReady(deadline: .now + .seconds(30))
        }
        #expect(server.posts == 0)
    }

    @Test("403 or an unreachable endpoint is not ready, and the error names the endpoint and the answer")
    func notReady() async throws {
        _ = try await FakeHTTPServer.with({ request in
            #expect(request.method == "GET" && request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIATEST/") == true)
            return .json(403, #"{"message":"Forbidden"}"#)
        }) { url in
            await #expect { try await SinkHarness.sink(url).checkReady(deadline: .now + .seconds(30)) } throws: { error in
                (error as? SinkNotReady)?.code == .refused && "\(error)".contains("127.0.0.1") && "\(error)".contains("HTTP 403")
            }
        }
        await #expect {
            try await SinkHarness.sink("http://127.0.0.1:1", options: "timeout: 200ms").checkReady(deadline: .now + .seconds(5))
        } throws: { error in
            (error as? SinkNotReady)?.code == .unreachable
        }
    }
}
