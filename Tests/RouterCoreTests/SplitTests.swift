import Foundation
import Logging
import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// Split routes (`split:`) through the pipeline, an in-memory store and an in-memory work
/// queue that the test drains the way the queue's consumers would.
@Suite("split")
struct SplitTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// 60 users with two connections each.
    static func connections() -> [Connection] {
        (0..<60).flatMap { user in ["a", "b"].map { Connection(userID: "user\(user)", connectionID: "u\(user)\($0)") } }
    }

    struct Harness {
        let store: MemoryConnectionStore
        let sink: RecordingSink
        let queue: MemoryWorkQueue
        let pipeline: Pipeline

        init(
            settings: SplitSettings = SplitSettings(via: "work", segments: 4, usersPerTask: 25), pageDelay: Duration? = nil,
            queue: MemoryWorkQueue = MemoryWorkQueue(), failOnceIDs: Set<String> = []
        ) {
            store = MemoryConnectionStore(batchSize: 10, connections: SplitTests.connections())
            let recording = RecordingSink(failOnceIDs: failOnceIDs)
            sink = recording
            self.queue = queue
            var posting: any Sink = recording
            if let pageDelay { posting = PacedSink(recording, perBatch: pageDelay) }
            pipeline = Pipeline(
                route: "split", stages: [DedupeStage(), ExcludeStage()], store: store, sink: posting,
                split: Splitter(settings: settings, queue: queue, store: store))
        }

        func publish(_ json: String, messageID: String = "m-1") async -> DeliveryReport {
            await pipeline.deliver(Array(json.utf8), messageID: messageID, deadline: .now + .seconds(30), logger: SplitTests.logger)
        }

        /// Receives the work queue's messages ten at a time until it is empty, handing back
        /// those whose report asks for a retry; every report, in order.
        func drain(deadline: Duration = .seconds(30)) async -> [DeliveryReport] {
            var reports: [DeliveryReport] = []
            while let batch = queue.receive(10) {
                let messages = batch.map { Pipeline.Message(body: $0.body, messageID: $0.id) }
                let answered = await pipeline.deliver(messages, deadline: .now + deadline, logger: SplitTests.logger)
                for (message, report) in zip(batch, answered) where report.needsRetry { queue.handBack(message) }
                reports += answered
            }
            return reports
        }
    }

    @Test("a broadcast becomes one task per segment; the tasks reach every connection exactly once, data byte for byte")
    func broadcast() async {
        let harness = Harness()
        let data = #"{ "n" :1.50e1, "s":"\u00e9" }"#
        let report = await harness.publish(#"{"data":\#(data)}"#)
        #expect(report.outcome == .completed)
        #expect(report.tasksCreated == 4)
        #expect(report.delivered == 0)
        #expect(harness.sink.receivers.isEmpty)

        let tasks = await harness.drain()
        #expect(tasks.count == 4)
        #expect(tasks.allSatisfy { $0.outcome == .completed && $0.tasksFinished == 1 && $0.tasksContinued == 0 })
        #expect(harness.sink.receivers == Self.connections().map(\.connectionID).sorted())
        #expect(harness.sink.received.values.allSatisfy { $0 == [Array(data.utf8)] })
    }

    @Test("a task that nears its end stops at a page boundary and a continuation resumes after it: every connection once")
    func continuations() async {
        // A page takes at least 20 ms to post and a task has 50 ms: each task posts one page.
        let harness = Harness(pageDelay: .milliseconds(20))
        _ = await harness.publish(#"{"data":1}"#)
        let reports = await harness.drain(deadline: .milliseconds(50))

        let pages = await (0..<4).asyncMap { segment in await harness.pages(segment: segment) }.reduce(0, +)
        #expect(reports.count == pages)
        #expect(reports.filter { $0.tasksContinued == 1 }.count == pages - 4)
        #expect(reports.filter { $0.tasksFinished == 1 }.count == 4)
        #expect(reports.allSatisfy { $0.outcome == .completed })
        #expect(harness.sink.receivers == Self.connections().map(\.connectionID).sorted())
    }

    @Test("posts that fail in a task are handed to its continuation, never the whole task back: each connection delivered once")
    func unfinishedConnections() async {
        let harness = Harness(failOnceIDs: ["u1a", "u2b", "u40a"])
        _ = await harness.publish(#"{"data":1}"#)
        let reports = await harness.drain()
        #expect(reports.allSatisfy { !$0.needsRetry }, "no task comes back whole")
        #expect(reports.filter { $0.failed > 0 }.allSatisfy { $0.tasksContinued == 1 })
        #expect(reports.reduce(0) { $0 + $1.failed } == 3)
        #expect(reports.filter { $0.tasksFinished == 1 }.count == 4)
        #expect(harness.sink.receivers == Self.connections().map(\.connectionID).sorted(), "the three are delivered by continuations, the rest once")
    }

    @Test("a request that needs more continuations than max_hops is reported invalid, not looped")
    func hopLimit() async {
        let harness = Harness(settings: SplitSettings(via: "work", segments: 1, maxHops: 2), pageDelay: .milliseconds(20))
        _ = await harness.publish(#"{"data":1}"#)
        let reports = await harness.drain(deadline: .milliseconds(50))
        #expect(reports.count == 3)
        #expect(reports.prefix(2).allSatisfy { $0.tasksContinued == 1 })
        guard case .invalid(let reason) = reports.last?.outcome else {
            Issue.record("expected the third task invalid, got \(String(describing: reports.last?.outcome))")
            return
        }
        #expect(reason.contains("max_hops 2"))
        #expect(harness.sink.receivers.count == 30)
    }

    @Test("tasks the queue refuses are sent again; a request retried after a failed send sends only the tasks still missing")
    func refusedTasks() async {
        let queue = MemoryWorkQueue()
        let harness = Harness(queue: queue)
        queue.refuse(part: 1, times: 1)
        let first = await harness.publish(#"{"id":"r1","data":1}"#)
        #expect(first.outcome == .completed)
        #expect(first.tasksCreated == 4)
        #expect(queue.pending == 4)

        let other = Harness(queue: MemoryWorkQueue())
        other.queue.refuse(part: 2, times: 10)
        let failed = await other.publish(#"{"id":"r2","data":1}"#, messageID: "m-2")
        #expect(failed.needsRetry)
        #expect(failed.tasksCreated == 3)
        other.queue.refuse(part: 2, times: 0)
        let retried = await other.publish(#"{"id":"r2","data":1}"#, messageID: "m-2")
        #expect(retried.outcome == .completed)
        #expect(retried.tasksCreated == 1)
        #expect(other.queue.pending == 4)
        _ = await other.drain()
        #expect(other.sink.receivers == Self.connections().map(\.connectionID).sorted())
    }

    @Test("a multicast to more than users_per_task users is cut into tasks; a smaller one is posted at once")
    func multicast() async {
        let harness = Harness()
        let users = (0..<60).map { "\"user\($0)\"" }.joined(separator: ",")
        let large = await harness.publish(#"{"users":[\#(users)],"exclude_users":["user7"],"data":1}"#)
        #expect(large.tasksCreated == 3)
        #expect(harness.sink.receivers.isEmpty)
        _ = await harness.drain()
        #expect(harness.sink.receivers == Self.connections().map(\.connectionID).filter { !["u7a", "u7b"].contains($0) }.sorted())

        let small = await Harness().publish(#"{"users":["user1","user2"],"data":1}"#)
        #expect(small.tasksCreated == 0)
        #expect(small.delivered == 4)
    }

    @Test("the route's stages run once, on the request: exclusions travel with its tasks, and a duplicate is not split again")
    func stagesRunOnce() async {
        let harness = Harness()
        _ = await harness.publish(#"{"id":"same","exclude_users":["user3"],"data":1}"#)
        let duplicate = await harness.publish(#"{"id":"same","exclude_users":["user3"],"data":1}"#, messageID: "m-2")
        #expect(duplicate.tasksCreated == 0)
        _ = await harness.drain()
        #expect(harness.sink.receivers == Self.connections().map(\.connectionID).filter { !["u3a", "u3b"].contains($0) }.sorted())
    }

    @Test("a task is read back as written: its request's bytes unchanged")
    func taskFormat() throws {
        let request = Array(#"{"data": { "a" : [1, 2.0e3] }, "users" :["x"]}"#.utf8)
        let tasks = [
            WorkTask(origin: "m\"1", part: 2, parts: 4, hop: 3, work: .segment(2, of: 4, cursor: "7:user\n12c"), excludedUsers: ["é"], request: request),
            WorkTask(
                origin: "m", part: 1, parts: 2, hop: 1, work: .users([]), unfinished: [Connection(userID: "u\"", connectionID: "c=")], request: request),
            WorkTask(origin: "m", part: 0, parts: 1, work: .users(["a", "b"]), excludedConnections: ["c"], uniqueConnections: true, request: request),
        ]
        for task in tasks {
            #expect(WorkTask.isTask(task.json))
            #expect(try WorkTask(json: task.json) == task)
        }
        #expect(!WorkTask.isTask(request))
    }

    @Test("a task of another format version, or on a route without split, is invalid with the reason")
    func foreignTasks() async throws {
        let task = WorkTask(origin: "m", part: 0, parts: 1, work: .users(["user1"]), request: Array(#"{"data":1}"#.utf8))
        let newer = String(decoding: task.json, as: UTF8.self).replacingOccurrences(of: #""notification_router_task":1"#, with: #""notification_router_task":2"#)
        let report = await Harness().publish(newer)
        #expect(report.outcome == .invalid(reason: "task format version 2 is not the one this router reads (1); run one version of the router per work queue"))

        let plain = Pipeline(route: "plain", stages: [], store: MemoryConnectionStore(), sink: RecordingSink())
        let unsplit = await plain.deliver(task.json, deadline: .now + .seconds(5), logger: Self.logger)
        #expect(unsplit.outcome == .invalid(reason: "a split task reached route 'plain', which has no split: option"))
    }
}

extension SplitTests.Harness {
    /// How many pages segment `segment` of 4 reads.
    func pages(segment: Int) async -> Int {
        var pages = 0
        var cursor: String?
        repeat {
            cursor = await store.scanPage(segment: segment, of: 4, after: cursor).next
            pages += 1
        } while cursor != nil
        return pages
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var results: [T] = []
        for element in self { results.append(await transform(element)) }
        return results
    }
}

/// A work queue in memory: a FIFO of messages, with refusals on demand.
final class MemoryWorkQueue: WorkQueue {
    struct Message {
        let id: String
        let body: [UInt8]
    }

    private struct State {
        var messages: [Message] = []
        var sent = 0
        var refusals: [Int: Int] = [:]
    }

    let name = "work"
    private let state = Mutex(State())

    /// Refuses the tasks of part `part` the next `times` times they are sent.
    func refuse(part: Int, times: Int) { state.withLock { $0.refusals[part] = times } }

    var pending: Int { state.withLock { $0.messages.count } }

    func send(_ tasks: [WorkTask], deadline: ContinuousClock.Instant) async throws -> [Int: String] {
        state.withLock { state in
            var refused: [Int: String] = [:]
            for (index, task) in tasks.enumerated() {
                if let left = state.refusals[task.part], left > 0 {
                    state.refusals[task.part] = left - 1
                    refused[index] = "InternalError: refused by the test"
                    continue
                }
                state.sent += 1
                state.messages.append(Message(id: "task-\(state.sent)", body: task.json))
            }
            return refused
        }
    }

    func receive(_ count: Int) -> [Message]? {
        state.withLock { state in
            guard !state.messages.isEmpty else { return nil }
            defer { state.messages.removeFirst(min(count, state.messages.count)) }
            return Array(state.messages.prefix(count))
        }
    }

    func handBack(_ message: Message) { state.withLock { $0.messages.append(message) } }
}

/// A sink that takes at least `perBatch` to post each batch it reads.
struct PacedSink: Sink {
    let inner: any Sink
    let perBatch: Duration

    init(_ inner: any Sink, perBatch: Duration) {
        self.inner = inner
        self.perBatch = perBatch
    }

    func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let paced = ConnectionBatches { consume in
            try await connections.forEach { batch in
                try await Task.sleep(for: perBatch)
                try await consume(batch)
            }
        }
        return await inner.deliver(payload, to: paced, deadline: deadline)
    }
}
