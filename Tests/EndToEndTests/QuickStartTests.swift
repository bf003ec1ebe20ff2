import Foundation
import RouterTestSupport
import Testing

/// The README's quick start, run as written: its client, curl and publish lines, with
/// `swift run notification-router` as the built binary and the gateway on a free port.
@Suite("README quick start")
struct QuickStartTests {
    /// The commands of the README's second code block, comments removed.
    static func commands() throws -> [String] {
        let readme = try String(contentsOf: TestPeers.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        guard blocks.count >= 2 else { throw ProcessWaitError(message: "the README has no second sh block") }
        return blocks[1].split(separator: "\n").map { line in
            // A comment starts at the first " # " outside quotes; the commands here quote no "#".
            String(line.components(separatedBy: "  # ")[0]).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test("the client receives what curl and publish --local send, as the README says")
    func runsAsWritten() async throws {
        let gateway = try await DevGateway()
        defer { gateway.stop() }
        let address = String(gateway.url.dropFirst("http://".count))
        let binary = TestPeers.productsDirectory.appendingPathComponent("notification-router").path
        let commands = try Self.commands().map {
            $0.replacingOccurrences(of: "swift run notification-router", with: binary).replacingOccurrences(of: "127.0.0.1:8080", with: address)
        }
        try #require(commands.count == 3 && commands[0].contains(" listen ") && commands[1].hasPrefix("curl ") && commands[2].contains(" publish "), "\(commands)")
        // The client listens on the default address unless told; the README's runs against a gateway on 8080.
        let listener = try RunningProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec " + commands[0] + " ws://" + address])
        defer { listener.stop() }
        _ = try await listener.wait(for: "the room joined") { $0.contains(#"{"event":"joined","room":"lobby"}"#) ? true : nil }
        for command in commands.dropFirst() {
            let result = try CommandResult.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
            #expect(result.status == 0 && result.standardOutput.hasPrefix(#"{"reports":[{"outcome":"completed""#), "\(command): \(result.standardOutput) \(result.standardError)")
        }
        let lines = try await listener.wait(for: "both messages") { lines in lines.count >= 3 ? lines : nil }
        #expect(lines == [#"{"event":"joined","room":"lobby"}"#, #"{"type":"notification","message":"hi"}"#, #"{"message":"hello, lobby"}"#])
    }
}
