import Crypto
import FoundationEssentials
import Synchronization

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for one service in one region. Pure: the
/// credentials and the signing time are passed in, so it is tested against AWS's published
/// vectors.
///
/// The canonical URI is the request's path as sent on the wire, percent-encoded once more
/// (the rule for every service but S3): `/prod/@connections/a%3D` is signed as
/// `/prod/%40connections/a%253D`.
public struct SigV4Signer: Sendable {
    public let service: String
    public let region: String
    /// The last derived signing key, shared by the copies of this signer, as an HMAC already
    /// keyed with it: it changes once a day or when the credentials rotate, deriving it costs
    /// four HMACs, and keying an HMAC two SHA-256 blocks. With it, the day's credential scope
    /// and the current second's timestamp, which every signature of that day or second shares.
    private let cache = SigningKeyCache()

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// A request to sign: method, wire path (already percent-encoded), decoded query
    /// parameters, headers (a `host` header is required) and body.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// The body's SHA-256 in hex, when the caller has it already (a payload posted to
        /// many connections is hashed once); otherwise the body is hashed.
        public var payloadHash: String?

        public init(
            method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
            body: [UInt8] = [], payloadHash: String? = nil
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.payloadHash = payloadHash
        }
    }

    /// The headers to add to `request`: `X-Amz-Date`, `X-Amz-Security-Token` (with temporary
    /// credentials) and `Authorization`.
    ///
    /// The canonical request and the string to sign are written as bytes into one buffer and
    /// hashed from there: a post is signed in about 13 allocations (`scripts/bench-micro.sh`).
    public func signatureHeaders(for request: Request, credentials: AWSCredentials, date: Date) -> [(name: String, value: String)] {
        let amzDate = cache.timestamp(date)
        var added: [(name: String, value: String)] = []
        added.reserveCapacity(3)
        added.append((name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken { added.append((name: "X-Amz-Security-Token", value: token)) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        let signedHeaders = writeCanonicalRequest(request, adding: added, to: &buffer)
        let canonicalHash = SHA256.hash(data: buffer)
        let key = signingKey(secret: credentials.secretAccessKey, day: amzDate.utf8.prefix(8))
        buffer.removeAll(keepingCapacity: true)
        buffer += "AWS4-HMAC-SHA256\n".utf8
        buffer += amzDate.utf8
        buffer.append(UInt8(ascii: "\n"))
        buffer += key.scope.utf8
        buffer.append(UInt8(ascii: "\n"))
        Self.appendHex(canonicalHash, to: &buffer)
        var mac = key.mac
        mac.update(data: buffer)
        let signature = mac.finalize()
        buffer.removeAll(keepingCapacity: true)
        buffer += "AWS4-HMAC-SHA256 Credential=".utf8
        buffer += credentials.accessKeyID.utf8
        buffer.append(UInt8(ascii: "/"))
        buffer += key.scope.utf8
        buffer += ", SignedHeaders=".utf8
        buffer += signedHeaders.utf8
        buffer += ", Signature=".utf8
        Self.appendHex(signature, to: &buffer)
        added.append((name: "Authorization", value: String(decoding: buffer, as: UTF8.self)))
        return added
    }

    /// The canonical request and its signed header list (exposed for tests against vectors).
    public func canonicalRequest(_ request: Request) -> (request: String, signedHeaders: String) {
        var bytes: [UInt8] = []
        let signedHeaders = writeCanonicalRequest(request, adding: [], to: &bytes)
        return (String(decoding: bytes, as: UTF8.self), signedHeaders)
    }

    /// Appends the canonical request of `request` with the headers `added` to `bytes`;
    /// returns the signed header list.
    private func writeCanonicalRequest(_ request: Request, adding added: [(name: String, value: String)], to bytes: inout [UInt8]) -> String {
        let newline = UInt8(ascii: "\n")
        bytes += request.method.utf8
        bytes.append(newline)
        if request.path.isEmpty { bytes.append(UInt8(ascii: "/")) } else { URIEncoding.append(request.path, keepSlash: true, to: &bytes) }
        bytes.append(newline)
        if !request.query.isEmpty {
            let encoded: [(name: String, value: String)] = request.query.map { parameter in
                (name: URIEncoding.encode(parameter.name), value: URIEncoding.encode(parameter.value))
            }
            let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
            bytes += sorted.map { parameter in parameter.name + "=" + parameter.value }.joined(separator: "&").utf8
        }
        bytes.append(newline)
        // Sorted by name, the values of a repeated name joined by commas in their order.
        var headers: [(name: String, value: String, order: Int)] = []
        headers.reserveCapacity(request.headers.count + added.count)
        for header in request.headers {
            headers.append((name: header.name.lowercased(), value: Self.trimmed(header.value), order: headers.count))
        }
        for header in added {
            headers.append((name: header.name.lowercased(), value: Self.trimmed(header.value), order: headers.count))
        }
        headers.sort { lhs, rhs in lhs.name == rhs.name ? lhs.order < rhs.order : lhs.name < rhs.name }
        var signedHeaders = ""
        for (index, header) in headers.enumerated() {
            if index > 0, headers[index - 1].name == header.name {
                bytes[bytes.count - 1] = UInt8(ascii: ",")  // the newline: the value joins the line before
            } else {
                if !signedHeaders.isEmpty { signedHeaders += ";" }
                signedHeaders += header.name
                bytes += header.name.utf8
                bytes.append(UInt8(ascii: ":"))
            }
            bytes += header.value.utf8
            bytes.append(newline)
        }
        bytes.append(newline)
        bytes += signedHeaders.utf8
        bytes.append(newline)
        bytes += (request.payloadHash ?? Self.payloadHash(request.body)).utf8
        return signedHeaders
    }

    /// The SHA-256 of `body` in hex, as the canonical request writes it.
    public static func payloadHash(_ body: [UInt8]) -> String {
        hex(SHA256.hash(data: body))
    }

    /// The signing key of `secret` on `day` (`YYYYMMDD`), as an HMAC keyed with it to sign one
    /// string with, and the credential scope of that day.
    private func signingKey(secret: String, day: Substring.UTF8View) -> SigningKeyCache.Key {
        if let key = cache.key(secret: secret, day: day) { return key }
        let day = String(Substring(day))
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        let made = SigningKeyCache.Key(mac: HMAC<SHA256>(key: key), scope: day + "/" + region + "/" + service + "/aws4_request")
        cache.store(made, secret: secret)
        return made
    }

    /// `20150830T123600Z` (UTC, from the days since 1970 by the civil-calendar algorithm, so
    /// that no C time function or formatter is needed).
    static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's days_from_civil, inverted: eras of 400 years from 0000-03-01.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(year, digits: 4)
        append(month, digits: 2)
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3_600, digits: 2)
        append(secondOfDay / 60 % 60, digits: 2)
        append(secondOfDay % 60, digits: 2)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Header values with leading and trailing spaces removed and inner runs of spaces collapsed.
    private static func trimmed(_ value: String) -> String {
        let utf8 = value.utf8
        let space = UInt8(ascii: " ")
        var previous: UInt8 = space
        var clean = utf8.last != space
        for byte in utf8 where clean {
            clean = !(byte == space && previous == space)
            previous = byte
        }
        return clean ? value : value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var result: [UInt8] = []
        appendHex(bytes, to: &result)
        return String(decoding: result, as: UTF8.self)
    }

    /// Appends `bytes` in lowercase hex.
    static func appendHex(_ bytes: some Sequence<UInt8>, to result: inout [UInt8]) {
        result.reserveCapacity(result.count + 64)
        func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
        for byte in bytes {
            result.append(digit(byte >> 4))
            result.append(digit(byte & 0x0F))
        }
    }
}

/// One signer's last signing key (as an HMAC keyed with it) and credential scope, by the
/// secret and day it was derived for, and its last timestamp, by the second; safe to use from
/// any number of concurrent requests (entries are read and replaced under a lock, and each
/// signature updates its own copy of the HMAC).
final class SigningKeyCache: Sendable {
    struct Key {
        let mac: HMAC<SHA256>
        /// `YYYYMMDD/region/service/aws4_request`: its first 8 bytes are the day it was derived for.
        let scope: String
    }

    private struct Entry {
        let secret: String
        let key: Key
    }

    private let entry = Mutex<Entry?>(nil)
    private let lastTimestamp = Mutex<(second: Int64, text: String)?>(nil)

    func key(secret: String, day: Substring.UTF8View) -> Key? {
        entry.withLock { entry in
            guard let entry, entry.key.scope.utf8.prefix(8).elementsEqual(day), entry.secret == secret else { return nil }
            return entry.key
        }
    }

    func store(_ key: Key, secret: String) {
        entry.withLock { $0 = Entry(secret: secret, key: key) }
    }

    /// ``SigV4Signer/timestamp(_:)`` of `date`, made once per second.
    func timestamp(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let last = lastTimestamp.withLock({ $0 }), last.second == second { return last.text }
        let text = SigV4Signer.timestamp(date)
        lastTimestamp.withLock { $0 = (second, text) }
        return text
    }
}
