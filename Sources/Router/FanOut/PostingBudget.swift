import DequeModule
import Synchronization

/// How many posts per second one sink may start, shared by every fan-out of the process
/// (the sink's `rate` and `burst` options).
///
/// A token bucket kept as the instant its next token is free (GCRA). A post that finds a
/// token goes at once; the others wait in arrival order, and only the first of them sleeps on
/// the clock, so a change of rate applies to every waiting post at once.
///
/// Guarantees:
/// - over any interval of length t, at most `rate`·t + `burst` posts start;
/// - posts start in the order they asked, and one whose turn would come after its deadline
///   is told so instead (and takes no token);
/// - with an adaptive rate (`rate: adaptive`), each process finds its share of a budget that
///   it shares with processes it does not know about, from the 429s it sees: a 429 cuts the
///   rate to 70% (once for all the posts sent before the cut) and empties the bucket; every
///   100 ms in which posts had to wait and none was throttled raises it (``grown(_:lastCutFrom:)``):
///   fast while far below the rate of the last cut, slowly near it, faster and faster past it;
///   always between 1 post/s and `maximum`.
public final class PostingBudget: Sendable {
    public enum Rate: Sendable, Hashable {
        case fixed(Double)
        /// Starts at 250 posts/s (or `maximum`, if lower) and adapts.
        case adaptive(maximum: Double)
    }

    public let rate: Rate
    public let burst: Int
    private let state: Mutex<State>

    static let epoch = Duration.milliseconds(100)
    static let cutFactor = 0.7

    struct State {
        var perSecond: Double
        var nextFree: ContinuousClock.Instant
        /// Posts waiting for their turn, first in line first; the first sleeps on the clock.
        var line = Deque<CheckedContinuation<Void, Never>>()
        var headWaiting = false
        var lastCut: ContinuousClock.Instant?
        var rateAtCut: Double?
        /// Growth epochs spent at or past the rate of the last cut.
        var epochsPastCut = 0
        var epochStart: ContinuousClock.Instant
        var waitedInEpoch = false

        var interval: Duration { .seconds(1 / perSecond) }
    }

    public init(rate: Rate, burst: Int, now: ContinuousClock.Instant = .now) {
        self.rate = rate
        self.burst = max(1, burst)
        let initial: Double
        switch rate {
        case .fixed(let perSecond): initial = perSecond
        case .adaptive(let maximum): initial = min(maximum, 250)
        }
        state = Mutex(State(perSecond: max(initial, 1), nextFree: now, epochStart: now))
    }

    /// The rate now, in posts per second.
    public var currentRate: Double { state.withLock { $0.perSecond } }

    /// Waits for a token; false when the post's turn would come after `deadline`, or the
    /// wait was cancelled.
    public func acquire(deadline: ContinuousClock.Instant) async -> Bool {
        enum Entry { case answered(Bool), first, behind }
        let entry: Entry = state.withLock { state in
            guard !state.headWaiting else { return .behind }
            switch take(&state, now: .now, deadline: deadline) {
            case .taken: return .answered(true)
            case .refused: return .answered(false)
            case .wait:
                state.headWaiting = true
                return .first
            }
        }
        switch entry {
        case .answered(let goes): return goes
        case .first: break
        case .behind:
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let first = state.withLock { state in
                    if state.headWaiting {
                        state.line.append(waiter)
                        return false
                    }
                    state.headWaiting = true
                    return true
                }
                if first { waiter.resume() }
            }
        }
        return await waitAsFirst(deadline: deadline)
    }

    /// Without waiting: takes a token if one is free at `now`, or says when the next one is
    /// (or that it comes after `deadline`).
    public func tryTake(now: ContinuousClock.Instant = .now, deadline: ContinuousClock.Instant) -> Turn {
        state.withLock { take(&$0, now: now, deadline: deadline) }
    }

    /// A post started at `sentAt` was answered 429.
    public func throttled(sentAt: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) {
        guard case .adaptive = rate else { return }
        state.withLock { state in
            if let lastCut = state.lastCut, sentAt < lastCut { return }
            state.rateAtCut = state.perSecond
            state.epochsPastCut = 0
            state.perSecond = max(1, state.perSecond * Self.cutFactor)
            state.lastCut = now
            state.nextFree = now + state.interval * (burst - 1)  // an empty bucket
            state.epochStart = now
            state.waitedInEpoch = false
        }
    }

    public enum Turn: Equatable, Sendable {
        case taken
        /// The next token comes after the deadline; none was taken.
        case refused
        /// The next token is free at this instant.
        case wait(ContinuousClock.Instant)
    }

    private func take(_ state: inout State, now: ContinuousClock.Instant, deadline: ContinuousClock.Instant) -> Turn {
        if case .adaptive = rate { grow(&state, now: now) }
        let due = max(state.nextFree, now)
        let free = due - state.interval * (burst - 1)
        if free <= now {
            state.nextFree = due + state.interval
            return .taken
        }
        state.waitedInEpoch = true
        return free > deadline ? .refused : .wait(free)
    }

    /// First in line: sleeps until a token is free (waking at least every epoch, so that a
    /// higher rate applies), then hands the line to the next post.
    private func waitAsFirst(deadline: ContinuousClock.Instant) async -> Bool {
        defer { passHead() }
        while true {
            switch tryTake(deadline: deadline) {
            case .taken: return true
            case .refused: return false
            case .wait(let free):
                do {
                    try await Task.sleep(until: min(free, .now + Self.epoch))
                } catch {
                    return false
                }
            }
        }
    }

    /// Makes the next post in line the first, or leaves the line empty.
    private func passHead() {
        let next = state.withLock { state in
            let next = state.line.popFirst()
            if next == nil { state.headWaiting = false }
            return next
        }
        next?.resume()
    }

    private func grow(_ state: inout State, now: ContinuousClock.Instant) {
        guard case .adaptive(let maximum) = rate, now - state.epochStart >= Self.epoch else { return }
        if state.waitedInEpoch {
            if let ceiling = state.rateAtCut, state.perSecond >= ceiling { state.epochsPastCut += 1 }
            state.perSecond = min(maximum, max(1, Self.grown(state.perSecond, lastCutFrom: state.rateAtCut, epochsPast: state.epochsPastCut)))
        }
        state.epochStart = now
        state.waitedInEpoch = false
    }

    /// One epoch's growth: ×1.25 until the first 429; then back toward the rate of the last
    /// cut (a fifth of the gap, at least 2% of that rate, not past it); at or past it, 10%
    /// more for each epoch spent there (at most 50%), since budget that others held may have
    /// been freed.
    public static func grown(_ rate: Double, lastCutFrom ceiling: Double?, epochsPast: Int = 0) -> Double {
        guard let ceiling else { return rate * 1.25 }
        guard rate < ceiling else { return rate * (1 + 0.1 * Double(min(max(epochsPast, 1), 5))) }
        return min(ceiling, rate + max(ceiling * 0.02, (ceiling - rate) * 0.2))
    }
}
