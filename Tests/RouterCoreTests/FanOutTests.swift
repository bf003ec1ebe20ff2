import Dispatch
import RouterCore
import Synchronization
import Testing

/// The fan-out engine with batches read by several tasks at once, as a segmented Scan reads
/// them, and posts answered in memory.
@Suite("fan-out engine")
struct FanOutTests {
    final class Posts: Sendable {
        let ids = Mutex<[String]>([])
        /// Connections the readers handed over.
        let read = Mutex(0)
    }

    /// Three readers (segments), each handing over 10 batches of 10 connections concurrently.
    static func segmented(counting posts: Posts) -> ConnectionBatches {
        ConnectionBatches { consume in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for segment in 0..<3 {
                    group.addTask {
                        for page in 0..<10 {
                            posts.read.withLock { $0 += 10 }
                            try await consume((0..<10).map { Connection(userID: "u", connectionID: "s\(segment)-p\(page)-\($0)") })
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("batches from concurrent readers: every connection posted exactly once")
    func concurrentReaders() async {
        let posts = Posts()
        let report = await FanOut(maxInFlight: 7) { _ in .milliseconds(1) }.run(Self.segmented(counting: posts), deadline: .now + .seconds(60)) { connection in
            posts.ids.withLock { $0.append(connection.connectionID) }
            return .delivered
        }
        let ids = posts.ids.withLock { $0 }
        #expect(report.delivered == 300 && report.isComplete)
        #expect(ids.count == 300 && Set(ids).count == 300)
    }

    @Test("a 403 from concurrent readers' batches: every connection read ends in exactly one class, and reading stops")
    func forbiddenStopsEveryReader() async {
        let posts = Posts()
        let report = await FanOut(maxInFlight: 4) { _ in .milliseconds(1) }.run(Self.segmented(counting: posts), deadline: .now + .seconds(60)) { connection in
            let count = posts.ids.withLock { ids in
                ids.append(connection.connectionID)
                return ids.count
            }
            return count == 25 ? .forbidden("403") : .delivered
        }
        let (posted, read) = (posts.ids.withLock { $0.count }, posts.read.withLock { $0 })
        #expect(report.forbidden == 1 && report.delivered + report.forbidden == posted)
        #expect(report.delivered + report.forbidden + report.skipped == read, "read \(read), posted \(posted), skipped \(report.skipped)")
        #expect(report.skipped == report.unfinished.count && report.skipped > 0)
        #expect(read < 300, "the readers stopped before reading everything")
        #expect(!report.unreadAtDeadline, "stopped by the 403, not the deadline")
    }

    @Test("without a budget, answers start the next posts where they arrive: after the first window, every post starts on the answering queue")
    func answersStartTheNextPosts() async {
        let answers = DispatchQueue(label: "answers")
        let onAnswers = DispatchSpecificKey<Bool>()
        answers.setSpecific(key: onAnswers, value: true)
        let startedOnAnswers = Mutex((yes: 0, no: 0))
        let one = ConnectionBatches.batches([(0..<100).map { Connection(userID: "u", connectionID: "c\($0)") }])
        let report = await FanOut(maxInFlight: 4) { _ in .milliseconds(1) }.run(one, deadline: .now + .seconds(60)) { _, finished in
            let there = DispatchQueue.getSpecific(key: onAnswers) == true
            startedOnAnswers.withLock { if there { $0.yes += 1 } else { $0.no += 1 } }
            answers.async { finished(.delivered) }
        }
        #expect(report.delivered == 100 && report.isComplete)
        let started = startedOnAnswers.withLock { $0 }
        #expect(started.no == 4 && started.yes == 96, "the scheduler started the first window (4), the answers the rest: \(started)")
    }
}
