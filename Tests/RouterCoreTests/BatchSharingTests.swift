import Logging
@testable import RouterCore
import RouterTestSupport
import Synchronization
import Testing

/// The requests of one batch share their store reads and their pruning.
@Suite("Batch sharing")
struct BatchSharingTests {
    /// A store that counts its reads and deletes.
    final class CountingStore: ConnectionStore {
        let base: MemoryConnectionStore
        let scans = Mutex(0)
        let queries = Mutex<[[String]]>([])
        let deletes = Mutex<[[Connection]]>([])

        init(_ base: MemoryConnectionStore) { self.base = base }

        func connections(of users: [String]) -> ConnectionBatches {
            queries.withLock { $0.append(users) }
            return base.connections(of: users)
        }

        func scan() -> ConnectionBatches {
            scans.withLock { $0 += 1 }
            return base.scan()
        }

        func delete(_ connections: [Connection]) async throws -> Int {
            deletes.withLock { $0.append(connections) }
            return await base.delete(connections)
        }

        func put(_ connection: Connection) async throws { await base.put(connection) }
    }

    @Test("broadcasts scan once, multicasts query each distinct user once, each request keeps its own exclusions")
    func sharedReads() async {
        let store = CountingStore(PipelineTests.store())
        let sink = RecordingSink()
        let pipeline = Pipeline(route: "batch", stages: [DedupeStage(), ExcludeStage()], store: store, sink: sink)
        let bodies = [
            #"{"data":"b1"}"#,
            #"{"exclude_users":["alice"],"data":"b2"}"#,
            #"{"users":["alice","bob"],"data":"m1"}"#,
            #"{"users":["bob","carol"],"exclude_connections":["c1"],"data":"m2"}"#,
            #"{"users":"bad","data":"x"}"#,
        ]
        let reports = await pipeline.deliver(bodies.map { Pipeline.Message(body: Array($0.utf8)) }, deadline: .now + .seconds(60), logger: PipelineTests.logger)
        #expect(reports.map(\.delivered) == [5, 3, 3, 1, 0])
        #expect(reports[4].isInvalid)
        #expect(store.scans.withLock { $0 } == 1)
        #expect(store.queries.withLock { $0 } == [["alice", "bob", "carol"]])
        func payloads(_ id: String) -> [String] { (sink.received[id] ?? []).map { String(decoding: $0, as: UTF8.self) }.sorted() }
        #expect(payloads("a1") == [#""b1""#, #""m1""#])
        #expect(payloads("b1") == [#""b1""#, #""b2""#, #""m1""#, #""m2""#])
        #expect(payloads("c1") == [#""b1""#, #""b2""#])
        #expect(payloads("d1") == [#""b1""#, #""b2""#])
    }

    @Test("a stale connection reached by several requests is pruned once")
    func prunedOnce() async {
        let store = CountingStore(PipelineTests.store())
        let pipeline = Pipeline(route: "batch", stages: [DedupeStage(), ExcludeStage()], store: store, sink: RecordingSink(goneIDs: ["b1"]))
        let bodies = [#"{"users":["bob"],"data":1}"#, #"{"users":["bob","alice"],"data":2}"#, #"{"data":3}"#]
        let reports = await pipeline.deliver(bodies.map { Pipeline.Message(body: Array($0.utf8)) }, deadline: .now + .seconds(60), logger: PipelineTests.logger)
        #expect(reports.map(\.gone) == [1, 1, 1])
        #expect(reports.map(\.pruned) == [1, 0, 0], "credited to the first request only")
        #expect(store.deletes.withLock { $0 } == [[Connection(userID: "bob", connectionID: "b1")]])
    }

    @Test("a page is handed only to the requests that named its users, and only their connections")
    func pagesGoOnlyToTheirRequests() async throws {
        let pages = [
            [Connection(userID: "alice", connectionID: "a1"), Connection(userID: "alice", connectionID: "a2")],
            [Connection(userID: "bob", connectionID: "b1"), Connection(userID: "carol", connectionID: "c1")],
            [Connection(userID: "dave", connectionID: "d1")],
        ]
        let read = SharedRead(.batches(pages), subscribers: 3)
        let wanted: [Set<String>?] = [["alice"], ["bob", "alice"], nil]
        final class Received: Sendable { let calls = Mutex<[Int: [[String]]]>([:]) }
        let received = Received()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, users) in wanted.enumerated() {
                group.addTask {
                    try await read.batches(of: users).forEach { batch in
                        received.calls.withLock { $0[index, default: []].append(batch.map(\.connectionID)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let calls = received.calls.withLock { $0 }
        #expect(calls[0] == [["a1", "a2"]], "bob's, carol's and dave's pages are not handed to it")
        #expect(calls[1] == [["a1", "a2"], ["b1"]])
        #expect(calls[2] == [["a1", "a2"], ["b1", "c1"], ["d1"]], "a request naming no users gets every page")
    }

    /// A store that reads every user but `refused`, then throws ``UnreadUsers`` naming it, as
    /// the protocol asks.
    struct RefusingStore: ConnectionStore {
        let base: MemoryConnectionStore
        let refused: String

        func connections(of users: [String]) -> ConnectionBatches {
            ConnectionBatches { consume in
                try await base.connections(of: users.filter { $0 != refused }).forEach(consume)
                if users.contains(refused) { throw UnreadUsers([refused: "ValidationException: key too large"]) }
            }
        }

        func scan() -> ConnectionBatches { base.scan() }
        func delete(_ connections: [Connection]) async throws -> Int { await base.delete(connections) }
        func put(_ connection: Connection) async throws { await base.put(connection) }
    }

    @Test("a user the store cannot read fails only the requests that name it; the rest of the batch completes")
    func unreadUserStaysWithItsRequest() async {
        let sink = RecordingSink()
        let pipeline = Pipeline(route: "batch", stages: [ExcludeStage()], store: RefusingStore(base: PipelineTests.store(), refused: "mallory"), sink: sink)
        let reports = await pipeline.deliver([
            Pipeline.Message(body: Array(#"{"users":["alice","mallory"],"data":1}"#.utf8), messageID: "m-a"),
            Pipeline.Message(body: Array(#"{"users":["bob"],"data":2}"#.utf8), messageID: "m-b"),
            Pipeline.Message(body: Array(#"{"users":["carol","alice"],"data":3}"#.utf8), messageID: "m-c"),
        ], deadline: .now + .seconds(30), logger: PipelineTests.logger)
        #expect(reports.map(\.needsRetry) == [true, false, false], "\(reports.map(\.outcome))")
        if case .retry(let reason) = reports[0].outcome { #expect(reason.contains("mallory")) }
        #expect(sink.receivers == ["a1", "a1", "a2", "a2", "b1", "c1"], "alice's connections still got the first request")
    }
}
