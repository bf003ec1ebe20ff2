import FoundationEssentials
import Synchronization

/// The credentials one ``AWSClient`` signed with last, so that an attempt can be signed
/// without asking the provider (an `await`, and with ``CachingCredentialProvider`` a hop to
/// its actor) while they stay valid for more than `margin`: long-term keys always, temporary
/// ones until `margin` before they expire. The provider's own cache refreshes them earlier
/// (5 minutes before by default), so a snapshot about to expire is replaced by fresh keys.
final class CredentialsSnapshot: Sendable {
    private let last = Mutex<AWSCredentials?>(nil)
    /// In seconds.
    let margin: TimeInterval

    init(margin: TimeInterval = 60) {
        self.margin = margin
    }

    /// The last credentials, when they are valid for more than `margin` after `now`.
    func current(now: Date) -> AWSCredentials? {
        last.withLock { last in
            guard let last else { return nil }
            guard let expiration = last.expiration else { return last }
            return expiration.timeIntervalSince(now) > margin ? last : nil
        }
    }

    func keep(_ credentials: AWSCredentials) {
        last.withLock { $0 = credentials }
    }
}
