/// A route's `split:` option: large requests are not fanned out by the process that receives
/// them but cut into tasks sent to a work queue, which the route also takes messages from, so
/// that every process consuming that queue shares the work (README, "Scaling").
///
/// ```yaml
/// split: { via: work, segments: 16, users_per_task: 1000, task_budget: 60s, max_hops: 100 }
/// ```
public struct SplitSettings: Sendable, Hashable {
    /// The source the tasks are sent to (an `sqs` source the route takes messages from).
    public let via: String
    /// A broadcast becomes one task per parallel-scan segment.
    public let segments: Int
    /// A request for more users than this becomes tasks of at most this many users.
    public let usersPerTask: Int
    /// How long one task runs before it hands the rest of its work to a continuation (a
    /// Lambda invocation's own deadline cuts it earlier).
    public let taskBudget: Duration
    /// Continuations one request may produce in a row before it is reported invalid.
    public let maxHops: Int

    public init(via: String, segments: Int = 16, usersPerTask: Int = 1000, taskBudget: Duration = .seconds(60), maxHops: Int = 100) {
        self.via = via
        self.segments = segments
        self.usersPerTask = usersPerTask
        self.taskBudget = taskBudget
        self.maxHops = maxHops
    }

    public init(options: inout ConfigMapping) throws(ConfigError) {
        self.init(
            via: try options.required("via", expected: "the name of the sqs source the tasks are sent to").nonEmptyString(),
            segments: try options.optional("segments")?.int(in: 1...1000) ?? 16,
            usersPerTask: try options.optional("users_per_task")?.int(in: 1...100_000) ?? 1000,
            taskBudget: try options.optional("task_budget")?.duration(in: .seconds(1)...(.seconds(900))) ?? .seconds(60),
            maxHops: try options.optional("max_hops")?.int(in: 1...100_000) ?? 100)
    }
}
