import Foundation

/// Real WebSocket clients (Python `websockets` from the test venv, `Scripts/ws_clients.py`)
/// connected to a gateway, each named by the test.
public final class WebSocketClients: Sendable {
    private let process: RunningProcess

    /// Starts the clients' process for the gateway at `baseURL` (`http://host:port`).
    public init(_ baseURL: String) throws {
        let python = try TestPeers.requirePython()
        let script = TestPeers.packageRoot.appendingPathComponent("Tests/Support/Scripts/ws_clients.py").path
        process = try RunningProcess(URL(fileURLWithPath: python), ["-u", script, "ws" + baseURL.dropFirst(4)])
    }

    private var events: [[String: Any]] {
        process.lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// Opens a socket `name` as `user`; returns once it is open.
    public func connect(_ name: String, as user: String) async throws {
        process.send("connect \(name) \(user)")
        try await process.wait(for: "connection of \(name)") { _ in
            events.contains { $0["name"] as? String == name && ["connected", "refused"].contains($0["event"] as? String) } ? true : nil
        }
        if let refused = events.first(where: { $0["name"] as? String == name && $0["event"] as? String == "refused" }) {
            throw ProcessWaitError(message: "connection \(name) refused with HTTP \(refused["status"] ?? "?")")
        }
    }

    /// Opens a socket without a user id; returns how the gateway ended it: the HTTP status of
    /// a refused handshake, or the close code and reason of a socket closed after it.
    public func connectWithoutUser(_ name: String) async throws -> (status: Int?, closeCode: Int?, reason: String?) {
        process.send("connect \(name)")
        let answer = try await process.wait(for: "answer to \(name)") { _ in
            events.first { $0["name"] as? String == name && ["closed", "refused"].contains($0["event"] as? String) }
        }
        return (answer["status"] as? Int, answer["code"] as? Int, answer["reason"] as? String)
    }

    public func send(_ name: String, _ text: String) {
        process.send("send \(name) \(text)")
    }

    /// Sends a text message of `count` bytes.
    public func send(_ name: String, bytes count: Int) {
        process.send("sendlong \(name) \(count)")
    }

    /// Sends a ping and waits for its pong.
    public func ping(_ name: String) async throws {
        process.send("ping \(name)")
        try await process.wait(for: "pong at \(name)") { _ in
            events.contains { $0["name"] as? String == name && $0["event"] as? String == "pong" } ? true : nil
        }
    }

    /// Closes `name` with a close handshake (code 1000) and waits until it is closed; returns
    /// the code of the gateway's answering close frame.
    @discardableResult
    public func close(_ name: String) async throws -> Int? {
        process.send("close \(name)")
        return try await waitUntilClosed(name)
    }

    /// Waits until `name` was closed (by either side); returns the close code.
    @discardableResult
    public func waitUntilClosed(_ name: String) async throws -> Int? {
        try await process.wait(for: "close of \(name)") { _ in
            events.first { $0["name"] as? String == name && $0["event"] as? String == "closed" }
        }["code"] as? Int
    }

    /// Every message `name` has received so far.
    public func messages(_ name: String) -> [String] {
        events.filter { $0["name"] as? String == name && $0["event"] as? String == "message" }.compactMap { $0["data"] as? String }
    }

    /// Waits until `name` has received at least `count` messages; returns them all.
    @discardableResult
    public func waitForMessages(_ name: String, count: Int) async throws -> [String] {
        try await process.wait(for: "\(count) messages at \(name)") { _ in
            let received = messages(name)
            return received.count >= count ? received : nil
        }
    }

    public func stop() {
        process.stop()
    }
}
