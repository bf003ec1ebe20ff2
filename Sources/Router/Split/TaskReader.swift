import Synchronization

/// Reads the connections of one ``WorkTask`` a page at a time (a segment's scan page, or a
/// slice of its users) and stops at a page boundary when the task nears its end, so that a
/// continuation can resume exactly where it stopped.
///
/// The rule: the first page is always read (every task makes progress); another is read only
/// while the time left before `end` is more than twice what the last page took to read and
/// hand over (posting paces reading, so that is about the time to post one more page).
/// After the read, ``rest`` is the work left for a continuation, nil when the task is done.
final class TaskReader: Sendable {
    /// Users read per slice of a users task.
    static let usersPerSlice = 100

    private let task: WorkTask
    private let store: any SegmentScanning
    private let end: ContinuousClock.Instant
    private let remaining: Mutex<WorkTask.Work?>

    init(_ task: WorkTask, store: any SegmentScanning, end: ContinuousClock.Instant) {
        self.task = task
        self.store = store
        self.end = end
        self.remaining = Mutex(task.work)
    }

    /// The work left after reading stopped; nil when the task read everything it was given.
    var rest: WorkTask.Work? { remaining.withLock { $0 } }

    /// The task's connections, its exclusions applied.
    var connections: ConnectionBatches {
        let audience = task.audience
        var batches = ConnectionBatches { consume in try await self.read(consume) }
        if task.uniqueConnections { batches = batches.uniqueConnectionIDs() }
        return audience.excludedUsers.isEmpty && audience.excludedConnections.isEmpty ? batches : batches.filter(audience.admits)
    }

    private func read(_ consume: @escaping ConnectionBatches.Consumer) async throws {
        var lastPage: Duration?
        while let work = remaining.withLock({ $0 }) {
            if let lastPage, ContinuousClock.now + lastPage * 2 >= end { return }
            let started = ContinuousClock.now
            let next = try await readPage(work, consume)
            remaining.withLock { $0 = next }
            lastPage = .now - started
        }
    }

    /// Reads the page `work` starts with; returns the work after it.
    private func readPage(_ work: WorkTask.Work, _ consume: @escaping ConnectionBatches.Consumer) async throws -> WorkTask.Work? {
        switch work {
        case .segment(let segment, let segments, let cursor):
            let page = try await store.scanPage(segment: segment, of: segments, after: cursor)
            try await consume(page.connections)
            return page.next.map { .segment(segment, of: segments, cursor: $0) }
        case .users(let users):
            let slice = Array(users.prefix(Self.usersPerSlice))
            try await store.connections(of: slice).forEach(consume)
            let rest = Array(users.dropFirst(slice.count))
            return rest.isEmpty ? nil : .users(rest)
        }
    }
}
