/// Where a route sends the tasks it splits a request into: a queue the route also takes
/// messages from, so that every process consuming it shares the work.
///
/// Every implementation guarantees: each accepted task is one message whose body is the
/// task's ``WorkTask/json``, durable once accepted (it will be received, by this process or
/// another, until a consumer acknowledges it); the answer names every task the queue did not
/// accept, so the caller can send exactly those again; on a queue that deduplicates (an SQS
/// FIFO queue) the task's ``WorkTask/id`` is its deduplication id, so a task sent twice within
/// the queue's deduplication interval is received once.
public protocol WorkQueue: Sendable {
    /// The source's name in routes.yaml.
    var name: String { get }

    /// Sends `tasks`; returns the indices of those not accepted, with the queue's reason.
    func send(_ tasks: [WorkTask], deadline: ContinuousClock.Instant) async throws -> [Int: String]
}
