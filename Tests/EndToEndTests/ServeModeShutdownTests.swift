import Foundation
import RouterTestSupport
import Testing

/// The daemon's shutdown promises (README "Modes", docs/guarantees.md): what SIGTERM and
/// SIGINT do to a fan-out in flight, and that a message is never lost or taken after the signal.
extension ServeModeTests {
    @Test("SIGTERM during a fan-out: the post in flight finishes, the message is deleted, exit 0")
    func gracefulShutdown() async throws {
        try await Self.with(connections: ["eve": ["eve-1"]]) { daemon in
            try await daemon.signal(SIGTERM, whilePosting: #"{"users":["eve"],"data":"late"}"#, to: "eve-1", answering: .delay(.seconds(2)))
            let status = try await daemon.process.finish()
            #expect(status == 0, "\(daemon.process.standardError)")
            #expect(daemon.connections.received["eve-1"]?.count == 1)
            #expect(try daemon.queued() == 0, "delivered, so deleted before exiting")
        }
    }

    @Test("SIGTERM with a post slower than the grace period: no receive after the signal, exit 0 at the grace's end, nothing deleted, the next daemon delivers once")
    func shutdownGraceRunsOut() async throws {
        let sqs = CountingProxy(upstream: try TestPeers.requireMoto())
        try await sqs.run { sqsURL in
            try await Self.with(connections: ["eve": ["eve-1"], "fay": ["fay-1"]], environment: ["AWS_ENDPOINT_URL_SQS": sqsURL], grace: "4s") { daemon in
                let signalled = try await daemon.signal(SIGTERM, whilePosting: #"{"users":["eve"],"data":"slow"}"#, to: "eve-1", answering: .stall)
                // The long poll open at the signal ends within wait_time (2 s); this message comes after it.
                try await Task.sleep(for: .milliseconds(2600))
                try daemon.publish(#"{"users":["fay"],"data":"after the signal"}"#)
                #expect(try await daemon.process.finish() == 0, "\(daemon.process.standardError)")
                let stopped = ContinuousClock.now - signalled
                #expect(stopped >= .seconds(4) && stopped < .seconds(15), "it waited out the grace period, then stopped: \(stopped)")
                #expect(sqs.arrivals("ReceiveMessage").filter { $0 > signalled + .milliseconds(200) }.isEmpty, "no receive began after SIGTERM")
                #expect(daemon.connections.received.isEmpty, "the slow post never finished, and fay's message was not taken")
                #expect(try daemon.queued() == 2, "neither message was deleted")

                daemon.connections.clear("eve-1")
                let (next, _) = try await Self.start(directory: daemon.directory, environment: daemon.environment)
                defer { next.stop() }
                try await eventually("both delivered by the next daemon") { daemon.connections.received.count == 2 }
                try await eventually("the queue empty") { try daemon.queued() == 0 }
                #expect(daemon.connections.received.mapValues(\.count) == ["eve-1": 1, "fay-1": 1], "each once")
            }
        }
    }

    @Test("SIGINT during a fan-out stops at once with status 0, deletes nothing, and the next daemon delivers the message once")
    func interrupt() async throws {
        try await Self.with(connections: ["gus": ["gus-1"]]) { daemon in
            let signalled = try await daemon.signal(SIGINT, whilePosting: #"{"users":["gus"],"data":"interrupted"}"#, to: "gus-1", answering: .stall)
            let status = try await daemon.process.finish()
            #expect(ContinuousClock.now - signalled < .seconds(10), "not the 20 s grace period")
            #expect(status == 0, "a stop that was asked for: \(daemon.process.standardError)")
            #expect(daemon.connections.received.isEmpty)
            #expect(try daemon.queued() == 1, "not deleted")

            daemon.connections.clear("gus-1")
            let (next, _) = try await Self.start(directory: daemon.directory, environment: daemon.environment)
            defer { next.stop() }
            try await eventually("delivered by the next daemon") { daemon.connections.received["gus-1"] != nil }
            try await eventually("the queue empty") { try daemon.queued() == 0 }
            #expect(daemon.connections.received["gus-1"]?.count == 1)
        }
    }

    @Test("rolling restart: a message sent just after SIGTERM, while the pollers wait, reaches its connection within 3 s, once")
    func rollingRestart() async throws {
        try await Self.with(connections: ["gil": ["gil-1"]]) { daemon in
            try await eventually("the pollers waiting") { daemon.process.standardError.contains("consuming with 2 pollers") }
            try await Task.sleep(for: .milliseconds(500))
            daemon.process.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(100))
            try daemon.publish(#"{"users":["gil"],"data":"during the restart"}"#)
            let sent = ContinuousClock.now
            let (next, _) = try await Self.start(directory: daemon.directory, environment: daemon.environment)
            defer { next.stop() }
            try await eventually("the message delivered", limit: .seconds(3)) { daemon.connections.received["gil-1"] != nil }
            #expect(ContinuousClock.now - sent < .seconds(3))
            #expect(try await daemon.process.finish() == 0, "\(daemon.process.standardError)")
            try await Task.sleep(for: .seconds(1))
            #expect(daemon.connections.received["gil-1"]?.count == 1, "delivered once")
        }
    }

    @Test("a fan-out longer than visibility_timeout keeps its message hidden: one receive, one post per connection")
    func visibilityExtended() async throws {
        try await Self.with(connections: ["ida": ["ida-1", "ida-2"]], visibilityTimeout: "2s") { daemon in
            daemon.connections.set("ida-1", .delay(.seconds(4)))
            try daemon.publish(#"{"users":["ida"],"data":"long"}"#)
            try await eventually("both delivered") { daemon.connections.received.count == 2 }
            try await eventually("the queue empty") { try daemon.queued() == 0 }
            #expect(daemon.connections.posts == 2, "twice the visibility timeout, and no second consumer took it")
            let metrics = try await daemon.metrics()
            #expect(metrics[#"notification_router_sqs_received_total{queue="queue"}"#] == 1)
            #expect(metrics[#"notification_router_sqs_acknowledged_total{queue="queue"}"#] == 1)
        }
    }
}

extension ServeModeTests.Daemon {
    /// Publishes `request` while `connection` answers as `behaviour` says, waits until its post
    /// is in flight (by the daemon's own gauge), then sends `signal`; returns when it was sent.
    @discardableResult
    func signal(_ signal: Int32, whilePosting request: String, to connection: String, answering behaviour: FakeConnectionsServer.Behaviour) async throws -> ContinuousClock.Instant {
        connections.set(connection, behaviour)
        try publish(request)
        try await eventually("the post in flight") { connections.posts == 1 }
        #expect(try await metrics()["notification_router_posts_in_flight"] == 1, "in flight when the signal comes")
        process.signal(signal)
        return ContinuousClock.now
    }
}
