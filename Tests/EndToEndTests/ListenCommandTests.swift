import Foundation
import RouterTestSupport
import Testing

/// `notification-router listen`: the client in the box that the quick start uses.
@Suite("listen command")
struct ListenCommandTests {
    static let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router")

    @Test("listen joins its rooms and prints each message on its own line, exactly as posted")
    func printsMessages() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let socketURL = "ws" + gateway.url.dropFirst("http".count)
        let listener = try RunningProcess(Self.binary, ["listen", "--user", "ann", "--room", "lobby", "--room", "attic", socketURL])
        defer { listener.stop() }
        _ = try await listener.wait(for: "both rooms joined") { lines in
            lines.contains(#"{"event":"joined","room":"lobby"}"#) && lines.contains(#"{"event":"joined","room":"attic"}"#) ? true : nil
        }
        #expect(try await gateway.publish(#"{"rooms":["lobby"],"data":{"n": 1.50}}"#).status == 200)
        #expect(try await gateway.publish(#"{"users":["ann"],"data":"two"}"#).status == 200)
        let received = try await listener.wait(for: "both messages") { lines in
            lines.contains(#""two""#) ? lines.filter { !$0.contains(#""event":"joined""#) } : nil
        }
        #expect(received == [#"{"n": 1.50}"#, #""two""#])
        #expect(listener.standardError.contains("notification-router listen: connected to \(socketURL)/?user_id=ann"))
    }

    @Test("listen without a usable user id exits 1 with the gateway's reason")
    func refused() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let result = try CommandResult.run(Self.binary, ["listen", "--user", "", "ws" + gateway.url.dropFirst("http".count)])
        #expect(result.status == 1)
        #expect(result.standardError.contains("the gateway closed the connection: policyViolation no user id: connect to /?user_id=NAME"), "\(result.standardError)")
    }
}
