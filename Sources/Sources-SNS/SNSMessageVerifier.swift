import Crypto
import FoundationEssentials
import SwiftASN1
import X509
import _CryptoExtras

/// Proves that SNS sent a message (the SNS developer guide's verification steps): the
/// signature is version 1 (SHA1withRSA) or 2 (SHA256withRSA) over the message's
/// ``SNSHTTPMessage/stringToSign``, made with the key of the certificate at `SigningCertURL`,
/// which must be an https URL on the topic region's SNS host (``SNSSigningHost``) whose parsed
/// path ends in `.pem`, with no query, and a certificate valid now.
///
/// Keys are cached by host and path (at most `cacheCapacity`, the least recently used
/// forgotten first) and never used past their certificate's `notValidAfter`. Only a key that
/// was fetched and checked enters the cache, so URLs nobody has seen cannot push the real one
/// out; and at most `unseenFetchesPerMinute` certificates not in the cache are fetched per
/// minute, so forged messages cannot make the endpoint fetch on their behalf. A failed fetch
/// is not cached.
public actor SNSMessageVerifier {
    public typealias Fetch = @Sendable (_ url: String) async throws -> [UInt8]

    private struct CachedKey {
        let key: _RSA.Signing.PublicKey
        let notValidAfter: Date
    }

    private let host: String
    private let fetch: Fetch
    private let cacheCapacity: Int
    private let unseenFetchesPerMinute: Int
    private let now: @Sendable () -> Date
    private var keys: [String: CachedKey] = [:]
    /// Cache keys, least recently used first.
    private var recency: [String] = []
    private var pending: [String: Task<CachedKey, any Error>] = [:]
    private var recentFetches: [Date] = []

    /// - Parameters:
    ///   - host: the only host certificates may come from (``SNSSigningHost/host``);
    ///   - fetch: GETs a certificate URL that passed the host check.
    public init(
        host: String, cacheCapacity: Int = 32, unseenFetchesPerMinute: Int = 10, now: @escaping @Sendable () -> Date = Date.init,
        fetch: @escaping Fetch
    ) {
        self.host = host
        self.fetch = fetch
        self.cacheCapacity = cacheCapacity
        self.unseenFetchesPerMinute = unseenFetchesPerMinute
        self.now = now
    }

    /// Verifies with certificates fetched from the signing host's SNS endpoint.
    public init(signingHost: SNSSigningHost) {
        self.init(host: signingHost.host) { url in try await signingHost.fetch(url, deadline: .now + .seconds(10)) }
    }

    /// Returns when `message` carries a valid SNS signature; throws a forged ``SNSRejection``
    /// saying which check failed otherwise.
    public func verify(_ message: SNSHTTPMessage) async throws(SNSRejection) {
        let key = try await publicKey(at: message.signingCertURL)
        guard let signatureBytes = Data(base64Encoded: message.signature) else { throw .forged(.signature, "the Signature is not base64") }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        let signed = Data(message.stringToSign.utf8)
        let valid: Bool
        switch message.signatureVersion {
        case "1": valid = key.isValidSignature(signature, for: Insecure.SHA1.hash(data: signed), padding: .insecurePKCS1v1_5)
        case "2": valid = key.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
        default: throw .forged(.signature, "SignatureVersion '\(message.signatureVersion)' is neither 1 nor 2")
        }
        guard valid else { throw .forged(.signature, "the signature does not match the message and the certificate at \(message.signingCertURL)") }
    }

    private func publicKey(at url: String) async throws(SNSRejection) -> _RSA.Signing.PublicKey {
        let location = try SNSSigningHost.location(of: url, host: host)
        guard location.query.isEmpty, location.path.hasSuffix(".pem") else {
            throw .forged(.certificate, "'\(url)' is not a .pem certificate path without a query")
        }
        let cacheKey = host + location.path
        let date = now()
        if let cached = keys[cacheKey] {
            if date <= cached.notValidAfter {
                recency.removeAll { $0 == cacheKey }
                recency.append(cacheKey)
                return cached.key
            }
            keys[cacheKey] = nil
            recency.removeAll { $0 == cacheKey }
        }
        let task: Task<CachedKey, any Error>
        if let inFlight = pending[cacheKey] {
            task = inFlight
        } else {
            recentFetches.removeAll { date.timeIntervalSince($0) >= 60 }
            guard recentFetches.count < unseenFetchesPerMinute else {
                throw .forged(.certificate, "'\(url)' would be the \(unseenFetchesPerMinute + 1)th certificate fetch within a minute; refused")
            }
            recentFetches.append(date)
            task = Task { [fetch, now] in try Self.key(pem: try await fetch(url), url: url, at: now()) }
            pending[cacheKey] = task
        }
        do {
            let fetched = try await task.value
            if pending[cacheKey] == task {
                pending[cacheKey] = nil
                keys[cacheKey] = fetched
                recency.append(cacheKey)
                if recency.count > cacheCapacity { keys[recency.removeFirst()] = nil }
            }
            return fetched.key
        } catch {
            if pending[cacheKey] == task { pending[cacheKey] = nil }
            if let rejection = error as? SNSRejection { throw rejection }
            throw .forged(.certificate, "the signing certificate at \(url) could not be fetched: \(error)")
        }
    }

    private static func key(pem: [UInt8], url: String, at date: Date) throws -> CachedKey {
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: String(decoding: pem, as: UTF8.self)) } catch {
            throw SNSRejection.forged(.certificate, "the signing certificate at \(url) is not a PEM certificate: \(error)")
        }
        guard certificate.notValidBefore <= date, date <= certificate.notValidAfter else {
            throw SNSRejection.forged(
                .certificate, "the signing certificate at \(url) is not valid now (\(certificate.notValidBefore) to \(certificate.notValidAfter))")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw SNSRejection.forged(.certificate, "the signing certificate at \(url) has no RSA key")
        }
        return CachedKey(key: key, notValidAfter: certificate.notValidAfter)
    }
}
