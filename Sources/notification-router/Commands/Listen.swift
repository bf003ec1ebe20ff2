import ArgumentParser
import FoundationEssentials
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import RouterApp

struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect to the dev gateway as a user, join rooms, and print each message received on its own line.",
        discussion: """
            A WebSocket client for trying the router: `notification-router listen --user alice --room lobby` connects \
            to ws://127.0.0.1:8080/?user_id=alice, sends {"action":"join","room":"lobby"}, and prints every message \
            (the gateway's answers to joins included) on standard output until interrupted or closed by the gateway.
            """
    )

    @Option(help: "The user id to connect as (the gateway's user_id parameter).")
    var user: String

    @Option(name: .customLong("room"), help: "A room to join once connected; repeat for several.")
    var rooms: [String] = []

    @Argument(help: "The gateway's address.")
    var url = "ws://127.0.0.1:8080"

    func run() async throws {
        guard var components = URLComponents(string: url), ["ws", "wss"].contains(components.scheme) else {
            throw ValidationError("'\(url)' is not a WebSocket URL; expected ws://HOST:PORT or wss://HOST/PATH")
        }
        if components.path.isEmpty { components.path = "/" }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "user_id", value: user)]
        let address = components.string ?? url
        let rooms = rooms
        var logger = Logger(label: "notification-router.listen")
        logger.logLevel = .warning
        let closed: WebSocketCloseFrame?
        do {
            closed = try await WebSocketClient.connect(url: address, logger: logger) { inbound, outbound, _ in
                Self.note("connected to \(address)")
                for room in rooms {
                    let join: JSONValue = ["action": "join", "room": .string(room)]
                    try await outbound.write(.text(String(decoding: join.encoded(), as: UTF8.self)))
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .text(let text): StandardStream.output.write(text + "\n")
                    case .binary(let bytes): StandardStream.output.write(bytes: Array(bytes.readableBytesView) + [UInt8(ascii: "\n")])
                    }
                }
            }
        } catch {
            throw fail("notification-router listen: could not connect to \(address): \(error)")
        }
        if let closed, closed.closeCode != .normalClosure, closed.closeCode != .goingAway {
            throw fail("notification-router listen: the gateway closed the connection: \(closed.closeCode) \(closed.reason ?? "")")
        }
        Self.note("closed by the gateway")
    }

    private static func note(_ line: String) {
        StandardStream.error.write("notification-router listen: \(line)\n")
    }
}
