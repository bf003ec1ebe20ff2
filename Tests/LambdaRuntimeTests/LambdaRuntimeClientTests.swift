import AsyncHTTPClient
import LambdaRuntime
import Logging
import RouterTestSupport
import Testing

/// The Runtime API client against a fake Runtime API on loopback.
@Suite("Lambda Runtime API client")
struct LambdaRuntimeClientTests {
    @Test("an event over the size Lambda allows is answered EventTooLarge at once, and the next event is served")
    func eventTooLarge() async throws {
        let api = FakeRuntimeAPI()
        try await api.run { host in
            let runtime = LambdaRuntime(client: LambdaRuntimeClient(host: host, httpClient: .shared), concurrency: 1, logger: Logger(label: "test"))
            let loop = Task { await runtime.run { invocation in .response(Array("got \(invocation.event.count) bytes".utf8)) } }
            defer { loop.cancel() }
            let huge = try await api.invoke(String(repeating: "x", count: LambdaRuntimeClient.maxEventBytes + 1))
            #expect(huge.kind == "error" && huge.errorType == "EventTooLarge", "\(huge)")
            let small = try await api.invoke(#"{"data":1}"#)
            #expect(small.kind == "response" && small.body == "got 10 bytes")
        }
    }
}
