/// When and how long to wait before calling again: exponential backoff with full jitter,
/// bounded by a number of attempts (and, by the caller, a deadline).
public struct RetryPolicy: Sendable, Hashable {
    public let maxAttempts: Int
    public let base: Duration
    public let cap: Duration

    /// Full jitter: attempt n waits a random time in [0, min(cap, base * 2^n)].
    public static func jitter(base: Duration = .milliseconds(50), cap: Duration = .seconds(5), maxAttempts: Int = 6) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, base: base, cap: cap)
    }

    public static let `default` = RetryPolicy.jitter()

    /// Posts to one connection (the API Gateway sink's fan-out): a short base, a 1 s cap.
    public static let posts = RetryPolicy.jitter(base: .milliseconds(25), cap: .seconds(1))

    /// The wait before attempt `attempt + 1`, after `attempt` attempts (from 1) failed.
    public func delay(after attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(attempt - 1, 30)
        return min(cap, base * (1 << exponent)) * Double.random(in: 0...1, using: &random)
    }

    /// ``delay(after:using:)`` with the system's random numbers.
    public func delay(after attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(after: attempt, using: &random)
    }
}
