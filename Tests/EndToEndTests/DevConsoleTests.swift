import Foundation
import RouterTestSupport
import Testing

/// The dev console in a real browser: headless Chromium driven by Selenium
/// (`Tests/Support/Scripts/dev_console.py`), against the real binary's `dev` mode.
@Suite("dev console in a browser")
struct DevConsoleTests {
    @Test("connect three users, join two to a room, publish to the room: each panel, the table and the report show what happened")
    func roomWalkthrough() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let state = TestPeers.packageRoot.appendingPathComponent(".test-state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let screenshot = state.appendingPathComponent("dev-console.png")
        try? FileManager.default.removeItem(at: screenshot)

        let script = TestPeers.packageRoot.appendingPathComponent("Tests/Support/Scripts/dev_console.py").path
        let run = try await CommandResult.running(URL(fileURLWithPath: try TestPeers.requirePython()), [script, gateway.url, screenshot.path])
        try #require(run.status == 0, "the browser script failed: \(run.standardError.suffix(3000))")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])

        #expect(page["steps"] as? [String] == ["1Connect a client", "2Join a room (optional)", "3Publish a notification request",
                                              "Connections in the gateway's store", "Messages received, per connection (newest last)"])
        #expect(page["room_controls_visible_before_connecting"] as? Bool == true)
        #expect(page["broadcast_hint"] as? Bool == true, "the page says that empty users means a broadcast")
        #expect((page["labels"] as? [String])?.starts(with: ["users (comma-separated)", "exclude users", "rooms"]) == true, "\(page["labels"] ?? "")")
        #expect(page["fields"] as? [String: String] == ["users": "", "exclude": "", "rooms": "lobby"], "the room preset fills the form")

        let data = #"{"type":"chat","room":"lobby","text":"hi, room"}"#
        #expect(page["outcome"] as? String == "completed")
        #expect(page["counts"] as? [String: String] == ["delivered": "2", "gone": "0", "pruned": "0", "invalid": "0"])
        #expect(page["panels"] as? [String: [String]] == ["alice": [data], "bob": [data], "carol": []], "each panel shows what its socket received")
        let table = page["table"] as? [[String: String]] ?? []
        #expect(table.map { $0["user"] } == ["alice", "bob", "carol"])
        #expect(table.map { $0["rooms"] } == ["lobby", "lobby", ""])
        #expect(table.map { $0["received"] } == ["1", "1", "0"])
        #expect(table.allSatisfy { ($0["id"] ?? "").hasSuffix("=") }, "connection ids look like API Gateway's")
        #expect(FileManager.default.fileExists(atPath: screenshot.path), "a screenshot for people to look at")
    }
}
