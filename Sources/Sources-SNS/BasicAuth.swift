import FoundationEssentials

/// HTTP basic auth (RFC 7617) as the SNS endpoint checks it: SNS sends the credentials of an
/// `https://user:password@host/…` subscription endpoint in the `Authorization` header.
enum BasicAuth {
    /// The user and password of `Basic <base64(user:password)>`, nil for anything else.
    static func credentials(fromHeader header: String) -> (user: String, password: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = Data(base64Encoded: String(parts[1])),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// Whether `a` equals `b`, taking the same time whichever byte differs (the length of `b`,
    /// the configured secret, is not hidden).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in b.indices {
            difference |= (index < a.count ? a[index] : 0) ^ b[index]
        }
        return difference == 0
    }
}
