import RouterCore
import Testing

/// The posting budget's arithmetic, on instants the test chooses (no sleeping, no clock).
@Suite("posting budget")
struct PostingBudgetTests {
    let start = ContinuousClock.now
    let far = ContinuousClock.now + .seconds(3600)

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }
    static func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    static func near(_ rate: Double, _ expected: Double) -> Bool { abs(rate - expected) < 1e-9 }

    /// Takes tokens at `milliseconds` until one would have to wait.
    func takeAll(_ budget: PostingBudget, at milliseconds: Int) -> Int {
        var taken = 0
        while budget.tryTake(now: at(milliseconds), deadline: far) == .taken { taken += 1 }
        return taken
    }

    @Test("a fixed rate: `burst` posts at once, then one every 1/rate; a turn past the deadline is refused and takes nothing")
    func fixedRate() {
        let budget = PostingBudget(rate: .fixed(100), burst: 3, now: start)
        #expect(takeAll(budget, at: 0) == 3)
        #expect(budget.tryTake(now: at(0), deadline: far) == .wait(at(10)))
        #expect(budget.tryTake(now: at(0), deadline: at(5)) == .refused)
        #expect(takeAll(budget, at: 10) == 1, "the refused turn took nothing")
        #expect(takeAll(budget, at: 35) == 2, "20 and 30 ms")
        // Idle long enough, the bucket is full again, and no fuller.
        #expect(takeAll(budget, at: 1000) == 3)
    }

    @Test("over any interval of length t at most rate·t + burst posts start")
    func neverAboveTheRate() {
        let budget = PostingBudget(rate: .fixed(1000), burst: 20, now: start)
        var starts: [ContinuousClock.Instant] = []
        for millisecond in stride(from: 0, to: 500, by: 7) {
            starts += Array(repeating: at(millisecond), count: takeAll(budget, at: millisecond))
        }
        #expect(starts.count > 400)
        for first in stride(from: 0, to: starts.count, by: 11) {
            for last in stride(from: first, to: starts.count, by: 13) {
                #expect(Double(last - first + 1) <= 1000 * Self.seconds(starts[last] - starts[first]) + 20 + 1e-6)
            }
        }
    }

    @Test("adaptive: starts at 250/s and grows ×1.25 every 100 ms in which posts waited, up to max_rate; not when nobody waited")
    func slowStart() {
        let budget = PostingBudget(rate: .adaptive(maximum: 500), burst: 1, now: start)
        #expect(budget.currentRate == 250)
        #expect(takeAll(budget, at: 0) == 1)  // the next one waited
        _ = budget.tryTake(now: at(100), deadline: far)
        #expect(budget.currentRate == 312.5)
        _ = budget.tryTake(now: at(250), deadline: far)  // nobody waited in 100-250 ms
        #expect(budget.currentRate == 312.5)
        for step in 0..<10 { _ = takeAll(budget, at: 400 + 100 * step) }
        #expect(budget.currentRate == 500, "bounded by max_rate")
    }

    @Test("adaptive: a 429 cuts the rate to 70% and empties the bucket, once for the posts sent before the cut; growth then closes a fifth of the gap to the rate cut from")
    func cut() {
        let budget = PostingBudget(rate: .adaptive(maximum: 10_000), burst: 5, now: start)
        #expect(takeAll(budget, at: 0) == 5)
        budget.throttled(sentAt: at(0), now: at(5))
        #expect(Self.near(budget.currentRate, 175))
        budget.throttled(sentAt: at(3), now: at(6))
        #expect(Self.near(budget.currentRate, 175), "sent before the cut: the same overshoot")
        budget.throttled(sentAt: at(7), now: at(8))
        #expect(Self.near(budget.currentRate, 122.5), "sent after the cut: a new overshoot")
        #expect(takeAll(budget, at: 8) == 1, "the bucket is empty after a cut: one token now, not a burst")
        _ = budget.tryTake(now: at(120), deadline: far)
        #expect(Self.near(budget.currentRate, 122.5 + 10.5), "a fifth of the way back to the 175/s the cut came from")
    }

    @Test("adaptive growth: a fifth of the gap to the rate of the last cut (at least 2% of it), never past it in one step; past it 10% more for every epoch there, up to 50%")
    func growth() {
        #expect(PostingBudget.grown(100, lastCutFrom: nil) == 125)
        #expect(Self.near(PostingBudget.grown(700, lastCutFrom: 1000), 760))
        #expect(Self.near(PostingBudget.grown(990, lastCutFrom: 1000), 1000), "at least 2%, but not past the last cut's rate")
        #expect(Self.near(PostingBudget.grown(1000, lastCutFrom: 1000, epochsPast: 1), 1100))
        #expect(Self.near(PostingBudget.grown(1000, lastCutFrom: 800, epochsPast: 3), 1300), "faster the longer no 429 comes")
        #expect(Self.near(PostingBudget.grown(1000, lastCutFrom: 800, epochsPast: 9), 1500), "at most ×1.5")
    }

    @Test("a fixed rate ignores 429s")
    func fixedIgnoresThrottling() {
        let budget = PostingBudget(rate: .fixed(300), burst: 1, now: start)
        budget.throttled(sentAt: at(0), now: at(1))
        #expect(budget.currentRate == 300)
    }

    @Test("posts that wait in line each get their turn; one whose turn is past its deadline is refused")
    func line() async {
        let budget = PostingBudget(rate: .fixed(200), burst: 1)
        #expect(await budget.acquire(deadline: .now + .seconds(60)))
        let order = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<6 {
                group.addTask { (index, await budget.acquire(deadline: .now + .seconds(60))) }
                await Task.yield()
            }
            var order: [(Int, Bool)] = []
            for await entry in group { order.append(entry) }
            return order
        }
        #expect(order.allSatisfy(\.1) && order.count == 6)
        #expect(await budget.acquire(deadline: .now) == false, "the next turn is 5 ms away: past a deadline of now")
    }
}
