/// A split route's machinery: cuts a large request into ``WorkTask``s, sends them to the work
/// queue, and reads a task's connections from the route's store.
public struct Splitter: Sendable {
    public let settings: SplitSettings
    public let queue: any WorkQueue
    public let store: any SegmentScanning
    /// Sends of refused tasks per request attempt, the first included.
    static let sendAttempts = 3

    public init(settings: SplitSettings, queue: any WorkQueue, store: any SegmentScanning) {
        self.settings = settings
        self.queue = queue
        self.store = store
    }

    /// The tasks `audience` is cut into, nil when it is delivered at once: a broadcast
    /// becomes one task per segment, a list of more than `users_per_task` users tasks of at
    /// most that many.
    func cut(_ audience: Audience, request: [UInt8], origin: String) -> [WorkTask]? {
        let works: [WorkTask.Work]
        switch audience.target {
        case .broadcast:
            works = (0..<settings.segments).map { .segment($0, of: settings.segments, cursor: nil) }
        case .users(let users):
            guard users.count > settings.usersPerTask else { return nil }
            works = stride(from: 0, to: users.count, by: settings.usersPerTask).map { start in
                .users(Array(users[start..<min(start + settings.usersPerTask, users.count)]))
            }
        }
        return works.enumerated().map { part, work in
            WorkTask(
                origin: origin, part: part, parts: works.count, work: work, excludedUsers: audience.excludedUsers.sorted(),
                excludedConnections: audience.excludedConnections.sorted(), uniqueConnections: audience.uniqueConnections, request: request)
        }
    }

    /// Sends `tasks`, sending again those the queue refused (up to ``sendAttempts`` times,
    /// while the deadline allows); the ``WorkTask/key``s accepted, and why the rest were not.
    func send(_ tasks: [WorkTask], deadline: ContinuousClock.Instant) async -> (accepted: [UInt64], failure: String?) {
        var pending = tasks
        var accepted: [UInt64] = []
        var failure: String?
        for attempt in 1...Self.sendAttempts where !pending.isEmpty && ContinuousClock.now < deadline {
            if attempt > 1 { try? await Task.sleep(for: .milliseconds(100 << (attempt - 2))) }
            do {
                let refused = try await queue.send(pending, deadline: deadline)
                accepted += pending.indices.filter { refused[$0] == nil }.map { pending[$0].key }
                failure = refused.first.map { "work queue '\(queue.name)' refused \(refused.count) of \(pending.count) tasks: \($0.value)" }
                pending = refused.keys.sorted().map { pending[$0] }
            } catch {
                failure = "sending \(pending.count) tasks to work queue '\(queue.name)' failed: \(error)"
            }
        }
        return (accepted, pending.isEmpty ? nil : failure ?? "the deadline came before \(pending.count) tasks were sent")
    }

    /// A reader of `task`'s connections that stops in time for a continuation: by the end of
    /// the task's budget from now, or `deadline`, whichever is first.
    func reader(for task: WorkTask, deadline: ContinuousClock.Instant) -> TaskReader {
        TaskReader(task, store: store, end: min(deadline, .now + settings.taskBudget))
    }
}

extension WorkTask {
    /// The task's ``id`` as a redelivery-memory key: which tasks of a request were accepted.
    var key: UInt64 { StableHash.fnv1a(id.utf8) }
}
