import APIGatewaySink
import AsyncHTTPClient
import Foundation
import LocalGateway
import NIOCore
import NIOHTTP1
import RouterCore
import RouterTestSupport
import Testing

/// The answer classes the sink's contract tests check against the fake `@connections`
/// server (DESIGN §3), this time against the local gateway with real sockets behind it.
@Suite("local gateway: management API contract")
struct ManagementAPIContractTests {
    static let payload = try! Payload(json: Array(#"{"type":"notification","message":"héllo"}"#.utf8))

    @Test("200: delivered, the exact bytes, to every socket; ids are API Gateway's shape")
    func delivers() async throws {
        try await GatewayHarness.with { gateway in
            for index in 0..<6 { try await gateway.clients.connect("c\(index)", as: "user\(index % 2)") }
            let ids = await gateway.store.all.map(\.connectionID)
            #expect(ids.count == 6 && ids.allSatisfy { $0.count == 16 && $0.hasSuffix("=") })
            let connections = await Array(gateway.store.all)
            let report = try await gateway.sink().deliver(Self.payload, to: .batches([connections]), deadline: .now + .seconds(30))
            #expect(report.delivered == 6 && report.isComplete)
            for index in 0..<6 {
                #expect(try await gateway.clients.waitForMessages("c\(index)", count: 1) == [String(decoding: Self.payload.bytes, as: UTF8.self)])
            }
        }
    }

    @Test("410: an unknown id and a closed socket are reported gone")
    func gone() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("live", as: "ann")
            try await gateway.clients.connect("leaving", as: "ben")
            let leaving = await gateway.connectionIDs(of: "ben")
            try await gateway.clients.close("leaving")
            let live = await gateway.connectionIDs(of: "ann")
            let targets = (live + leaving).map { Connection(userID: "x", connectionID: $0) } + [Connection(userID: "x", connectionID: "neverSeen0000A=")]
            let report = try await gateway.sink().deliver(Self.payload, to: .batches([targets]), deadline: .now + .seconds(30))
            #expect(report.delivered == 1)
            #expect(Set(report.gone.map(\.connectionID)) == Set(leaving + ["neverSeen0000A="]))
        }
    }

    @Test("413 over 128 KiB: rejected for that connection, not retried; 128 KiB exactly is delivered")
    func tooLarge() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("c", as: "ann")
            let id = await gateway.connectionIDs(of: "ann")
            let target = ConnectionBatches.batches([[Connection(userID: "ann", connectionID: id[0])]])
            let big = try Payload(json: Array(("\"" + String(repeating: "x", count: 131_071) + "\"").utf8))
            let fits = try Payload(json: Array(("\"" + String(repeating: "y", count: 131_070) + "\"").utf8))
            let rejected = try await gateway.sink().deliver(big, to: target, deadline: .now + .seconds(30))
            #expect(rejected.rejected == 1 && rejected.delivered == 0 && rejected.isComplete)
            let delivered = try await gateway.sink().deliver(fits, to: target, deadline: .now + .seconds(30))
            #expect(delivered.delivered == 1)
            #expect(try await gateway.clients.waitForMessages("c", count: 1)[0].utf8.count == 131_072)
        }
    }

    @Test("GET describes the connection; DELETE answers 204, closes the socket and removes it from the store")
    func getAndDelete() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("c", as: "ann")
            let id = try #require(await gateway.connectionIDs(of: "ann").first)
            let path = gateway.url + "/@connections/" + id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

            let get = try await gateway.httpClient.execute(HTTPClientRequest(url: path), timeout: .seconds(30))
            #expect(get.status.code == 200)
            let body = try await get.body.collect(upTo: 1 << 16)
            let described = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
            let identity = described["identity"] as? [String: Any]
            #expect(identity?["sourceIp"] as? String == "127.0.0.1")
            #expect((identity?["userAgent"] as? String)?.contains("websockets") == true)
            #expect((described["connectedAt"] as? String)?.hasSuffix("Z") == true && described["lastActiveAt"] != nil)

            var delete = HTTPClientRequest(url: path)
            delete.method = .DELETE
            #expect(try await gateway.httpClient.execute(delete, timeout: .seconds(30)).status.code == 204)
            try await gateway.clients.waitUntilClosed("c")
            try await waitUntil { await gateway.store.all.isEmpty }

            var post = HTTPClientRequest(url: path)
            post.method = .POST
            post.body = .bytes(ByteBuffer(string: "{}"))
            let after = try await gateway.httpClient.execute(post, timeout: .seconds(30))
            #expect(after.status.code == 410 && after.headers["x-amzn-ErrorType"].first == "GoneException")
        }
    }

    @Test("a connection idle past the idle timeout is closed with 1001 and leaves the store")
    func idleTimeout() async throws {
        try await GatewayHarness.with(LocalGatewayConfiguration(idleTimeout: .milliseconds(300))) { gateway in
            try await gateway.clients.connect("c", as: "ann")
            #expect(try await gateway.clients.waitUntilClosed("c") == 1001)
            try await waitUntil { await gateway.store.all.isEmpty }
        }
    }

    @Test("pings are answered; a client's close is echoed with its code; a frame over 32 KiB closes the socket with 1009")
    func webSocketProtocol() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("pinging", as: "ann")
            try await gateway.clients.ping("pinging")
            #expect(try await gateway.clients.close("pinging") == 1000)
            try await gateway.clients.connect("large", as: "ben")
            gateway.clients.send("large", bytes: 32 * 1024 + 1)
            #expect(try await gateway.clients.waitUntilClosed("large") == 1009)
            try await waitUntil { await gateway.store.all.isEmpty }
        }
    }

    @Test("a socket still open when the gateway shuts down is closed with 1001")
    func shutdownClosesSockets() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("c", as: "ann")
            await gateway.shutDown()
            #expect(try await gateway.clients.waitUntilClosed("c") == 1001)
        }
    }

    @Test("commands sent back to back are applied and answered in order")
    func commandsInOrder() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("c", as: "ann")
            for command in [#"{"action":"join","room":"r1"}"#, #"{"action":"leave","room":"r1"}"#, #"{"action":"join","room":"r2"}"#] {
                gateway.clients.send("c", command)
            }
            let replies = try await gateway.clients.waitForMessages("c", count: 3)
            #expect(replies == [#"{"event":"joined","room":"r1"}"#, #"{"event":"left","room":"r1"}"#, #"{"event":"joined","room":"r2"}"#])
            #expect(gateway.rooms.members(of: ["r1"]).isEmpty && gateway.rooms.members(of: ["r2"]) == ["ann"])
        }
    }

    @Test("join and leave change room membership and are acknowledged")
    func rooms() async throws {
        try await GatewayHarness.with { gateway in
            try await gateway.clients.connect("c", as: "ann")
            gateway.clients.send("c", #"{"action":"join","room":"r1"}"#)
            _ = try await gateway.clients.waitForMessages("c", count: 1)
            #expect(gateway.rooms.members(of: ["r1"]) == ["ann"], "join adds the user to the room")
            gateway.clients.send("c", #"{"action":"leave","room":"r1"}"#)
            _ = try await gateway.clients.waitForMessages("c", count: 2)
            #expect(gateway.rooms.members(of: ["r1"]).isEmpty, "leave removes the user from the room")
            gateway.clients.send("c", #"{"action":"join"}"#)
            let replies = try await gateway.clients.waitForMessages("c", count: 3)
            #expect(replies == [
                #"{"event":"joined","room":"r1"}"#, #"{"event":"left","room":"r1"}"#,
                #"{"event":"error","message":"join needs a non-empty string 'room'"}"#,
            ])
        }
    }

    /// Polls `condition` (the store is updated just after the socket closes).
    func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        var attempts = 0
        while !(await condition()), attempts < 3000 {
            attempts += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await condition())
    }
}
