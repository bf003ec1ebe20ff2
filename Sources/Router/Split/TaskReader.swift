import Synchronization

/// Reads the connections of one ``WorkTask`` a page at a time (its unfinished connections
/// first, then a segment's scan pages or slices of its users) and stops at a page boundary
/// when the task nears its end, so that a continuation can resume exactly where it stopped.
///
/// The rule: the first page is always read (every task makes progress); another is read only
/// while the time left before `end` is more than twice what the last page took to read and
/// hand over (the sink's posting, and its budget, pace reading, so that is about the time to
/// post one more page). A page counts as read once it is handed to the sink, which then lists
/// any of its connections it could not finish (``SinkReport/unfinished``); ``rest`` is the
/// work after the pages handed over, nil when there is none.
final class TaskReader: Sendable {
    /// Users read per slice of a users task.
    static let usersPerSlice = 100

    private struct Position {
        var unfinished: [Connection]
        var work: WorkTask.Work?
    }

    private let task: WorkTask
    private let store: any SegmentScanning
    private let end: ContinuousClock.Instant
    private let position: Mutex<Position>

    init(_ task: WorkTask, store: any SegmentScanning, end: ContinuousClock.Instant) {
        self.task = task
        self.store = store
        self.end = end
        self.position = Mutex(Position(unfinished: task.unfinished, work: task.work))
    }

    /// The work after the pages handed over; nil when the task read everything it was given.
    var rest: WorkTask.Work? { position.withLock { $0.work } }

    /// The task's connections, its exclusions applied.
    var connections: ConnectionBatches {
        let audience = task.audience
        var batches = ConnectionBatches { consume in try await self.read(consume) }
        if task.uniqueConnections { batches = batches.uniqueConnectionIDs() }
        return audience.excludedUsers.isEmpty && audience.excludedConnections.isEmpty ? batches : batches.filter(audience.admits)
    }

    private func read(_ consume: @escaping ConnectionBatches.Consumer) async throws {
        let unfinished = position.withLock { position in
            defer { position.unfinished = [] }
            return position.unfinished
        }
        var lastPage: Duration?
        if !unfinished.isEmpty {
            let started = ContinuousClock.now
            try await consume(unfinished)
            lastPage = .now - started
        }
        while let work = position.withLock({ $0.work }) {
            if let lastPage, ContinuousClock.now + lastPage * 2 >= end { return }
            let started = ContinuousClock.now
            try await readPage(work, consume)
            lastPage = .now - started
        }
    }

    /// Reads the page `work` starts with and hands it over; the position moves past it first.
    private func readPage(_ work: WorkTask.Work, _ consume: @escaping ConnectionBatches.Consumer) async throws {
        switch work {
        case .segment(let segment, let segments, let cursor):
            let page = try await store.scanPage(segment: segment, of: segments, after: cursor)
            position.withLock { $0.work = page.next.map { .segment(segment, of: segments, cursor: $0) } }
            try await consume(page.connections)
        case .users(let users):
            let slice = Array(users.prefix(Self.usersPerSlice))
            position.withLock { $0.work = users.count > slice.count ? .users(Array(users.dropFirst(slice.count))) : nil }
            guard !slice.isEmpty else { return }
            try await store.connections(of: slice).forEach(consume)
        }
    }
}
