import Logging
import RouterCore
import RouterTestSupport
import Testing

/// A request that must be retried is delivered again only to the connections it missed.
@Suite("Redelivery")
struct RedeliveryTests {
    @Test("a redelivered request reaches only the connections its first attempt missed; each connection gets it once")
    func skipsReached() async {
        let sink = RecordingSink(failOnceIDs: ["a2", "d1"])
        let pipeline = Pipeline(route: "test", stages: [ExcludeStage()], store: PipelineTests.store(), sink: sink)
        func send(_ messageID: String) async -> DeliveryReport {
            await pipeline.deliver(Array(#"{"data":"all"}"#.utf8), messageID: messageID, deadline: .now + .seconds(30), logger: PipelineTests.logger)
        }
        let first = await send("m-1")
        #expect(first.needsRetry && first.delivered == 3 && first.failed == 2)
        let second = await send("m-1")
        #expect(second.outcome == .completed && second.delivered == 2, "only a2 and d1 are posted to")
        #expect(sink.receivers == ["a1", "a2", "b1", "c1", "d1"], "every connection has it exactly once")

        let other = await send("m-2")
        #expect(other.delivered == 5, "another message is not affected")
        let published = await send("m-1")
        #expect(published.delivered == 5, "once an attempt completed, the message is forgotten: a new copy goes to everyone")
    }

    @Test("the request id, when present, is the key: a re-publish of a retried request skips what it reached")
    func requestID() async {
        let sink = RecordingSink(failOnceIDs: ["b1"])
        let pipeline = Pipeline(route: "test", stages: [], store: PipelineTests.store(), sink: sink)
        let body = Array(#"{"id":"order-7","users":["alice","bob"],"data":1}"#.utf8)
        let first = await pipeline.deliver(body, messageID: "sqs-1", deadline: .now + .seconds(30), logger: PipelineTests.logger)
        let second = await pipeline.deliver(body, messageID: "sqs-2", deadline: .now + .seconds(30), logger: PipelineTests.logger)
        #expect(first.needsRetry && second.delivered == 1)
        #expect(sink.receivers == ["a1", "a2", "b1"])
    }

    @Test("an unrelated request that reuses an id is not filtered by what the first one reached")
    func reusedID() async {
        let sink = RecordingSink(failOnceIDs: ["b1"])
        let pipeline = Pipeline(route: "test", stages: [], store: PipelineTests.store(), sink: sink)
        let first = await pipeline.deliver(
            Array(#"{"id":"n-1","users":["alice","bob"],"data":"first"}"#.utf8), messageID: "sqs-1", deadline: .now + .seconds(30), logger: PipelineTests.logger)
        #expect(first.needsRetry && first.delivered == 2)
        let unrelated = await pipeline.deliver(
            Array(#"{"id":"n-1","users":["alice","bob"],"data":"second"}"#.utf8), messageID: "sqs-2", deadline: .now + .seconds(30), logger: PipelineTests.logger)
        #expect(unrelated.delivered == 3, "alice's connections get the second request too")
        #expect(sink.received["a1"]?.map { String(decoding: $0, as: UTF8.self) } == [#""first""#, #""second""#])
    }

    @Test("memory: keys are kept for the retention, merged across attempts, and bounded by capacity (oldest first)")
    func memoryBounds() async {
        let time = ManualTime()
        let memory = RedeliveryMemory(capacity: 5, retention: .seconds(60), now: time.read)
        await memory.remember("a", reached: [1, 2])
        await memory.remember("a", reached: [2, 3])
        #expect(await memory.reached(for: "a") == [1, 2, 3])
        time.advance(.seconds(30))
        await memory.remember("b", reached: [4, 5])
        #expect(await memory.reached(for: "b") == [4, 5])
        await memory.remember("c", reached: [6])
        #expect(await memory.reached(for: "a") == nil, "over capacity: the oldest request is forgotten")
        #expect(await memory.reached(for: "c") == [6])
        time.advance(.seconds(61))
        #expect(await memory.reached(for: "b") == nil && memory.capacity == 5, "past the retention")
        await memory.remember("d", reached: [7])
        await memory.forget("d")
        #expect(await memory.reached(for: "d") == nil)
    }

    @Test("the delivery key is the same FNV-1a hash in every process")
    func stableKey() {
        #expect(Connection(userID: "u", connectionID: "").deliveryKey == 0xcbf2_9ce4_8422_2325)
        #expect(Connection(userID: "u", connectionID: "a").deliveryKey == 0xaf63_dc4c_8601_ec8c)
        #expect(Connection(userID: "x", connectionID: "a").deliveryKey == Connection(userID: "u", connectionID: "a").deliveryKey)
    }
}
