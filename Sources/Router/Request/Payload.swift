/// The `data` of a notification request: the exact bytes of the JSON value as it appeared
/// in the request, validated as JSON and never re-serialised.
///
/// Every post of a request sends these same bytes; sinks encode them once per request.
public struct Payload: Sendable, Hashable {
    /// The JSON value's bytes, without surrounding whitespace.
    public let bytes: [UInt8]

    /// Wraps bytes that the caller has already validated as one JSON value.
    init(validatedBytes: [UInt8]) {
        self.bytes = validatedBytes
    }

    /// Wraps `bytes` after checking that they hold exactly one JSON value.
    public init(json bytes: [UInt8]) throws(JSONSyntaxError) {
        var scanner = JSONScanner(bytes)
        let (_, range) = try scanner.skipValue()
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected data after the JSON value") }
        self.bytes = Array(bytes[range])
    }

    /// The number of bytes posted to each connection.
    public var count: Int { bytes.count }
}
