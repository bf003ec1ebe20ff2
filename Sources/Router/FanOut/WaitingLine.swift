/// Suspended tasks waiting for their turn, first come first served: the line behind the
/// fan-out's window and the posting budget. Not synchronised: its owner (an actor, or a
/// lock's state) serialises access.
struct WaitingLine {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var start = 0

    var isEmpty: Bool { start == waiters.count }

    mutating func append(_ waiter: CheckedContinuation<Void, Never>) {
        waiters.append(waiter)
    }

    /// The first waiter, taken out of the line (the caller resumes it, outside any lock).
    mutating func popFirst() -> CheckedContinuation<Void, Never>? {
        guard !isEmpty else { return nil }
        let first = waiters[start]
        start += 1
        if start > 256, start * 2 > waiters.count {
            waiters.removeFirst(start)
            start = 0
        }
        return first
    }
}
