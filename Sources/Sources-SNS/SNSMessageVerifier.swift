import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Proves that SNS sent a message (the SNS developer guide's verification steps): the
/// signature is version 1 (SHA1withRSA) or 2 (SHA256withRSA) over the message's
/// ``SNSHTTPMessage/stringToSign``, made with the key of the certificate at `SigningCertURL`,
/// which must be an https URL on the topic region's SNS host (``SNSSigningHost``) and a
/// certificate valid now. Certificates are fetched once per URL and cached (at most
/// `cacheCapacity`, the oldest forgotten first); a failed fetch is not cached.
public actor SNSMessageVerifier {
    public typealias Fetch = @Sendable (_ url: String) async throws -> [UInt8]

    private let host: String
    private let fetch: Fetch
    private let cacheCapacity: Int
    private let now: @Sendable () -> Date
    private var keys: [String: Task<_RSA.Signing.PublicKey, any Error>] = [:]
    private var fetchOrder: [String] = []

    /// - Parameters:
    ///   - host: the only host certificates may come from (``SNSSigningHost/host``);
    ///   - fetch: GETs a certificate URL that passed the host check.
    public init(host: String, cacheCapacity: Int = 32, now: @escaping @Sendable () -> Date = Date.init, fetch: @escaping Fetch) {
        self.host = host
        self.fetch = fetch
        self.cacheCapacity = cacheCapacity
        self.now = now
    }

    /// Verifies with certificates fetched from the signing host's SNS endpoint.
    public init(signingHost: SNSSigningHost) {
        self.init(host: signingHost.host) { url in try await signingHost.fetch(url, deadline: .now + .seconds(10)) }
    }

    /// Returns when `message` carries a valid SNS signature; throws ``SNSRejection/forged(_:)``
    /// saying which check failed otherwise.
    public func verify(_ message: SNSHTTPMessage) async throws(SNSRejection) {
        let key = try await publicKey(at: message.signingCertURL)
        guard let signatureBytes = Data(base64Encoded: message.signature) else { throw .forged("the Signature is not base64") }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        let signed = Data(message.stringToSign.utf8)
        let valid: Bool
        switch message.signatureVersion {
        case "1": valid = key.isValidSignature(signature, for: Insecure.SHA1.hash(data: signed), padding: .insecurePKCS1v1_5)
        case "2": valid = key.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
        default: throw .forged("SignatureVersion '\(message.signatureVersion)' is neither 1 nor 2")
        }
        guard valid else { throw .forged("the signature does not match the message and the certificate at \(message.signingCertURL)") }
    }

    private func publicKey(at url: String) async throws(SNSRejection) -> _RSA.Signing.PublicKey {
        _ = try SNSSigningHost.location(of: url, host: host)
        guard url.hasSuffix(".pem") else { throw .forged("'\(url)' is not a .pem certificate") }
        let task: Task<_RSA.Signing.PublicKey, any Error>
        if let cached = keys[url] {
            task = cached
        } else {
            task = Task { [fetch, now] in try Self.key(pem: try await fetch(url), url: url, at: now()) }
            keys[url] = task
            fetchOrder.append(url)
            if fetchOrder.count > cacheCapacity { keys[fetchOrder.removeFirst()] = nil }
        }
        do {
            return try await task.value
        } catch {
            if keys[url] == task {
                keys[url] = nil
                fetchOrder.removeAll { $0 == url }
            }
            if let rejection = error as? SNSRejection { throw rejection }
            throw .forged("the signing certificate at \(url) could not be fetched: \(error)")
        }
    }

    private static func key(pem: [UInt8], url: String, at date: Date) throws -> _RSA.Signing.PublicKey {
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: String(decoding: pem, as: UTF8.self)) } catch {
            throw SNSRejection.forged("the signing certificate at \(url) is not a PEM certificate: \(error)")
        }
        guard certificate.notValidBefore <= date, date <= certificate.notValidAfter else {
            throw SNSRejection.forged("the signing certificate at \(url) is not valid now (\(certificate.notValidBefore) to \(certificate.notValidAfter))")
        }
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw SNSRejection.forged("the signing certificate at \(url) has no RSA key")
        }
        return key
    }
}
