import Logging
import RouterCore
import RouterTestSupport
import Testing

/// Requests end to end through stages, the in-memory store and a recording sink.
@Suite("Pipeline")
struct PipelineTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// alice: a1, a2; bob: b1; carol: c1; dave: d1.
    static func store() -> MemoryConnectionStore {
        MemoryConnectionStore(batchSize: 2, connections: [
            .init(userID: "alice", connectionID: "a1"), .init(userID: "alice", connectionID: "a2"),
            .init(userID: "bob", connectionID: "b1"), .init(userID: "carol", connectionID: "c1"),
            .init(userID: "dave", connectionID: "d1"),
        ])
    }

    struct Harness {
        let store: MemoryConnectionStore
        let sink: RecordingSink
        let pipeline: Pipeline

        init(stages: [any FilterStage] = [DedupeStage(), ExcludeStage()], goneIDs: Set<String> = [], store: MemoryConnectionStore = PipelineTests.store()) {
            self.store = store
            self.sink = RecordingSink(goneIDs: goneIDs)
            self.pipeline = Pipeline(route: "test", stages: stages, store: store, sink: sink)
        }

        func send(_ json: String, messageID: String? = nil) async -> DeliveryReport {
            await pipeline.deliver(Array(json.utf8), messageID: messageID, deadline: .now + .seconds(30), logger: PipelineTests.logger)
        }
    }

    @Test("multicast reaches every connection of the named users, with the exact data bytes")
    func multicast() async {
        let harness = Harness()
        let report = await harness.send(#"{"users":["alice","carol"],"data":{"type":"notification","message":"hi"}}"#)
        #expect(report.outcome == .completed)
        #expect(report.delivered == 3)
        #expect(harness.sink.receivers == ["a1", "a2", "c1"])
        #expect(harness.sink.received["a1"] == [Array(#"{"type":"notification","message":"hi"}"#.utf8)])
    }

    @Test("broadcast reaches every connection once")
    func broadcast() async {
        let harness = Harness()
        let report = await harness.send(#"{"data":"all"}"#)
        #expect(report.delivered == 5)
        #expect(harness.sink.receivers == ["a1", "a2", "b1", "c1", "d1"])
    }

    @Test("exclude_users applies to broadcast and to multicast, exclude_connections to both")
    func exclusions() async {
        let broadcast = Harness()
        _ = await broadcast.send(#"{"exclude_users":["alice"],"exclude_connections":["c1"],"data":1}"#)
        #expect(broadcast.sink.receivers == ["b1", "d1"])
        let multicast = Harness()
        _ = await multicast.send(#"{"users":["alice","bob"],"exclude_users":["bob"],"exclude_connections":["a2"],"data":1}"#)
        #expect(multicast.sink.receivers == ["a1"])
    }

    @Test("10,000 excluded users are honoured on a broadcast")
    func manyExclusions() async {
        let connections = (0..<12_000).map { Connection(userID: "user\($0)", connectionID: "c\($0)") }
        let harness = Harness(store: MemoryConnectionStore(batchSize: 500, connections: connections))
        let excluded = (0..<10_000).map { "\"user\($0)\"" }.joined(separator: ",")
        let report = await harness.send("{\"exclude_users\":[\(excluded)],\"data\":1}")
        #expect(report.delivered == 2_000)
        #expect(harness.sink.received.keys.allSatisfy { Int($0.dropFirst())! >= 10_000 })
    }

    @Test("without the exclude filter, exclusions are not applied (the filter is what honours them)")
    func excludeIsAStage() async {
        let harness = Harness(stages: [])
        _ = await harness.send(#"{"exclude_users":["alice"],"data":1}"#)
        #expect(harness.sink.receivers.count == 5)
    }

    @Test("rooms expand into members, plus named users")
    func roomsExpand() async {
        let rooms = MemoryRoomDirectory(members: ["lobby": ["bob", "carol"]])
        let harness = Harness(stages: [DedupeStage(), RoomsStage(directory: rooms), ExcludeStage()])
        _ = await harness.send(#"{"users":["alice"],"rooms":["lobby"],"exclude_users":["carol"],"data":1}"#)
        #expect(harness.sink.receivers == ["a1", "a2", "b1"])
    }

    @Test("restrict keeps only named users who are members; without users, all members")
    func roomsRestrict() async {
        let rooms = MemoryRoomDirectory(members: ["lobby": ["bob", "carol"]])
        let restricted = Harness(stages: [RoomsStage(directory: rooms, mode: .restrict)])
        _ = await restricted.send(#"{"users":["alice","bob"],"rooms":["lobby"],"data":1}"#)
        #expect(restricted.sink.receivers == ["b1"])
        let members = Harness(stages: [RoomsStage(directory: rooms, mode: .restrict)])
        _ = await members.send(#"{"rooms":["lobby"],"data":1}"#)
        #expect(members.sink.receivers == ["b1", "c1"])
    }

    @Test("rooms with no members reach nobody; they never become a broadcast")
    func emptyRoom() async {
        let harness = Harness(stages: [RoomsStage(directory: MemoryRoomDirectory())])
        let report = await harness.send(#"{"rooms":["empty"],"data":1}"#)
        #expect(report.outcome == .completed)
        #expect(report.delivered == 0 && harness.sink.receivers.isEmpty)
    }

    @Test("rooms on a route without a rooms filter are invalid, not a broadcast")
    func roomsWithoutStage() async {
        let harness = Harness()
        let report = await harness.send(#"{"rooms":["lobby"],"data":1}"#)
        #expect(report.isInvalid)
        #expect(harness.sink.receivers.isEmpty)
    }

    @Test("dedupe: a user or connection named twice is delivered to once")
    func dedupeWithinRequest() async {
        let harness = Harness()
        _ = await harness.send(#"{"users":["alice","bob","alice"],"data":1}"#)
        #expect(harness.sink.receivers == ["a1", "a2", "b1"])
    }

    @Test("dedupe: a repeated id, or source message id, is dropped within the window")
    func dedupeAcrossRequests() async {
        let harness = Harness()
        #expect(await harness.send(#"{"id":"n1","users":["bob"],"data":1}"#).outcome == .completed)
        let repeated = await harness.send(#"{"id":"n1","users":["bob"],"data":1}"#)
        guard case .dropped(let code, _) = repeated.outcome else {
            Issue.record("expected a duplicate drop, got \(repeated.outcome)")
            return
        }
        #expect(code == "duplicate")
        _ = await harness.send(#"{"users":["bob"],"data":2}"#, messageID: "m-7")
        #expect(await harness.send(#"{"users":["bob"],"data":2}"#, messageID: "m-7").outcome != .completed)
        #expect(harness.sink.receivers == ["b1", "b1"])
    }

    @Test("dedupe: a copy that arrives while the first attempt is in flight comes back for retry, never acknowledged; it is decided once the first ends")
    func dedupeInFlightCopy() async throws {
        let sink = GatedSink()
        let pipeline = Pipeline(route: "test", stages: [DedupeStage()], store: PipelineTests.store(), sink: sink)
        let body = Array(#"{"users":["bob"],"data":1}"#.utf8)
        let first = Task { await pipeline.deliver(body, messageID: "m-1", deadline: .now + .seconds(60), logger: PipelineTests.logger) }
        await sink.waitUntilHeld()
        let copy = await pipeline.deliver(body, messageID: "m-1", deadline: .now + .seconds(60), logger: PipelineTests.logger)
        #expect(copy.needsRetry, "the copy must come back: \(copy.outcome)")
        sink.release(failing: true)
        #expect(await first.value.needsRetry, "the first attempt failed")
        let retry = await pipeline.deliver(body, messageID: "m-1", deadline: .now + .seconds(60), logger: PipelineTests.logger)
        #expect(retry.outcome == .completed && retry.delivered == 1, "the redelivery goes through once the first failed")
    }

    @Test("dedupe: ids expire after the window")
    func dedupeExpiry() async {
        let clock = ManualTime()
        let harness = Harness(stages: [DedupeStage(window: .seconds(60), now: clock.read)])
        _ = await harness.send(#"{"id":"n1","users":["bob"],"data":1}"#)
        clock.advance(.seconds(61))
        #expect(await harness.send(#"{"id":"n1","users":["bob"],"data":1}"#).outcome == .completed)
        #expect(harness.sink.receivers == ["b1", "b1"])
    }

    @Test("dedupe: a request that will be retried is not remembered, so its redelivery goes through")
    func dedupeForgetsRetries() async {
        let failing = FailingRooms()
        let harness = Harness(stages: [DedupeStage(), RoomsStage(directory: failing)])
        let first = await harness.send(#"{"id":"n1","rooms":["r"],"data":1}"#)
        #expect(first.needsRetry)
        failing.heal()
        let second = await harness.send(#"{"id":"n1","rooms":["r"],"data":1}"#)
        #expect(second.outcome == .completed)
        #expect(harness.sink.receivers == ["b1"])
    }

    @Test("max-payload rejects large data before anything is posted")
    func maxPayload() async {
        let harness = Harness(stages: [MaxPayloadStage(limit: 10)])
        let report = await harness.send(#"{"data":"this is longer than ten bytes"}"#)
        #expect(report.outcome == .invalid(reason: "max-payload: data is 31 bytes, over this route's max-payload of 10 bytes"))
        #expect(harness.sink.receivers.isEmpty)
        #expect(await harness.send(#"{"data":"short"}"#).delivered == 5)
    }

    @Test("gone connections are pruned from the store, each once")
    func pruning() async {
        let harness = Harness(goneIDs: ["a2", "d1"])
        let report = await harness.send(#"{"data":1}"#)
        #expect(report.gone == 2 && report.pruned == 2 && report.delivered == 3)
        #expect(await harness.store.all == [.init(userID: "alice", connectionID: "a1"), .init(userID: "bob", connectionID: "b1"), .init(userID: "carol", connectionID: "c1")])
    }

    @Test("one invalid request in a batch does not stop the valid ones")
    func invalidInBatch() async {
        let harness = Harness()
        let batch = [#"{"users":["alice"],"data":1}"#, #"{"users":"bob","data":1}"#, "not json", #"{"users":["carol"]}"#, #"{"users":["dave"],"data":2}"#]
        var reports: [DeliveryReport] = []
        for body in batch { reports.append(await harness.send(body)) }
        #expect(reports.map(\.isInvalid) == [false, true, true, true, false])
        #expect(harness.sink.receivers == ["a1", "a2", "d1"])
    }

    @Test("a store that fails mid-read makes the request retry")
    func readFailure() async {
        let pipeline = Pipeline(route: "test", stages: [], store: BrokenStore(), sink: RecordingSink())
        let report = await pipeline.deliver(Array(#"{"data":1}"#.utf8), deadline: .now + .seconds(5), logger: Self.logger)
        #expect(report.needsRetry)
    }
}
