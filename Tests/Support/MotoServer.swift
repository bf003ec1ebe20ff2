import Foundation

/// A moto_server of a test's own, on a free loopback port, for tests that change server-wide
/// state (such as turning signature checks on). Started from the test venv; stopped by
/// ``stop()``.
public final class MotoServer: Sendable {
    public let url: String
    private let process: Process

    private init(url: String, process: Process) {
        self.url = url
        self.process = process
    }

    /// Starts one; throws when the venv is missing (scripts/test.sh provides it).
    public static func start() throws -> MotoServer {
        guard let python = TestPeers.python else { throw PeerMissing(message: "TEST_PYTHON is not set; run the tests through scripts/test.sh") }
        let bin = URL(fileURLWithPath: python).deletingLastPathComponent()
        let port = try CommandResult.run(URL(fileURLWithPath: python), ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = bin.appendingPathComponent("moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", port]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        let wait = try CommandResult.run(URL(fileURLWithPath: python), ["-c", """
            import sys, time, urllib.request
            for _ in range(200):
                try:
                    urllib.request.urlopen(sys.argv[1] + "/moto-api/"); sys.exit(0)
                except Exception:
                    time.sleep(0.1)
            sys.exit(1)
            """, url])
        guard wait.status == 0 else {
            process.terminate()
            throw PeerMissing(message: "moto_server did not answer on \(url)")
        }
        return MotoServer(url: url, process: process)
    }

    /// Runs Python from the test venv (boto3 comes with moto) with this server's URL as argv[1].
    public func python(_ script: String) throws -> String {
        guard let python = TestPeers.python else { throw PeerMissing(message: "TEST_PYTHON is not set") }
        let result = try CommandResult.run(URL(fileURLWithPath: python), ["-c", script, url])
        guard result.status == 0 else { throw PeerMissing(message: "python failed: \(result.standardError)") }
        return result.standardOutput
    }

    /// Kills the server (werkzeug ignores SIGTERM while serving) and reaps it.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public struct PeerMissing: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
