/// The deadline of the request (or batch) being delivered, carried to every call made on its
/// behalf: a store's reads and deletes, a room directory's lookups. A plugin that calls a
/// service bounds each call by the smaller of its own timeout and ``capping(_:now:)``, so
/// no part of a request outlives its deadline, however deep in a plugin it runs.
///
/// ``Pipeline`` binds it around each batch; child tasks (parallel scan segments, concurrent
/// queries) inherit it.
public enum RequestDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// `timeout` from now, or the request's deadline when that is sooner.
    public static func capping(_ timeout: Duration, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        guard let current else { return now + timeout }
        return min(now + timeout, current)
    }
}
