/// The kind of a JSON value, as the scanner found it.
public enum JSONKind: String, Sendable {
    case object, array, string, number, boolean, null
}

/// A syntax error in a JSON document, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset (from 0) of the offending input.
    public let offset: Int
    /// What was wrong, e.g. `unexpected character 'x'`.
    public let problem: String

    public var description: String { "\(problem) at byte \(offset)" }
}

/// A strict RFC 8259 reader over UTF-8 bytes that validates values without building them
/// and reports the exact byte range of each one.
///
/// Guarantees: never traps on any input (nesting is bounded by `maxDepth`); accepts only
/// well-formed UTF-8, no control characters in strings, no leading zeros, no trailing
/// commas; a value it accepts is one any RFC 8259 parser accepts too. Builds nothing but
/// the strings it is asked for: plugins on the hot path (the DynamoDB store's pages) read
/// answers with it instead of decoding them into objects.
public struct JSONScanner {
    public static let maxDepth = 128

    private let bytes: [UInt8]
    private(set) var position: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    public var isAtEnd: Bool { position >= bytes.count }

    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The kind of the value that starts at the current position (after whitespace).
    public mutating func peekKind() throws(JSONSyntaxError) -> JSONKind {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character \(Self.show(bytes[position]))")
        }
    }

    /// Validates the next value and returns its kind and byte range (without whitespace).
    public mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) -> (kind: JSONKind, range: Range<Int>) {
        let kind = try peekKind()
        let start = position
        switch kind {
        case .object:
            guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
            try readObject { scanner, _ throws(JSONSyntaxError) in _ = try scanner.skipValue(depth: depth + 1) }
        case .array:
            guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
            try readArray { scanner throws(JSONSyntaxError) in _ = try scanner.skipValue(depth: depth + 1) }
        case .string: _ = try readString()
        case .number: try skipNumber()
        case .boolean: try skipLiteral(bytes[position] == UInt8(ascii: "t") ? "true" : "false")
        case .null: try skipLiteral("null")
        }
        return (kind, start..<position)
    }

    /// Reads an object, calling `member` with the scanner positioned at each member's value.
    /// `member` must consume exactly that value.
    public mutating func readObject(
        _ member: (inout JSONScanner, String) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error(isAtEnd ? "unexpected end of input" : "expected a member name in double quotes")
            }
            let key = try readString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// Reads an array, calling `element` with the scanner positioned at each element.
    public mutating func readArray(_ element: (inout JSONScanner) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        skipWhitespace()
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        while true {
            try element(&self)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    /// Reads a string value, decoding escapes; rejects invalid UTF-8 and raw control characters.
    /// A string without escapes is made straight from the input's bytes.
    public mutating func readString() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        var decoded: [UInt8] = []
        var hasEscapes = false
        var runStart = position
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                defer { position += 1 }
                guard hasEscapes else { return String(decoding: bytes[runStart..<position], as: UTF8.self) }
                decoded.append(contentsOf: bytes[runStart..<position])
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                decoded.append(contentsOf: bytes[runStart..<position])
                try readEscape(into: &decoded)
                runStart = position
            case 0x00..<0x20:
                throw error("control character \(Self.show(byte)) in a string")
            case 0x80...:
                try skipUTF8Sequence()
            default:
                position += 1
            }
        }
    }

    // MARK: - Pieces

    private mutating func readEscape(into decoded: inout [UInt8]) throws(JSONSyntaxError) {
        position += 1  // the backslash
        guard position < bytes.count else { throw error("unterminated string") }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                    throw error("unpaired UTF-16 surrogate in \\u escape")
                }
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("unpaired UTF-16 surrogate in \\u escape")
            }
            // Every value left is a valid scalar: surrogates were handled above.
            decoded.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default:
            position -= 1
            throw error("invalid escape \\\(Self.show(escaped).dropFirst().dropLast())")
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("unterminated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(Self.show(byte)) in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates).
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[position]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw error("invalid UTF-8 byte \(Self.show(lead))")
        }
        guard position + length <= bytes.count else { throw error("truncated UTF-8 sequence") }
        for index in 1..<length {
            let continuation = bytes[position + index]
            let range = index == 1 ? lower...upper : 0x80...0xBF
            guard range.contains(continuation) else { throw error("invalid UTF-8 sequence") }
        }
        position += length
    }

    private mutating func skipNumber() throws(JSONSyntaxError) {
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if digitsAhead() { throw error("leading zero in a number") }
        } else {
            guard try skipDigits() else { throw error("expected a digit") }
        }
        if consume(UInt8(ascii: ".")) {
            guard try skipDigits() else { throw error("expected a digit after the decimal point") }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard try skipDigits() else { throw error("expected a digit in the exponent") }
        }
    }

    private func digitsAhead() -> Bool {
        position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    }

    private mutating func skipDigits() throws(JSONSyntaxError) -> Bool {
        let start = position
        while digitsAhead() { position += 1 }
        return position > start
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let matches = position + count <= bytes.count
            && literal.withUTF8Buffer { expected in bytes[position..<position + count].elementsEqual(expected) }
        guard matches else { throw error("invalid literal, expected \(literal)") }
        position += count
    }

    public mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        guard position < bytes.count else { throw error("unexpected end of input, expected \(Self.show(byte))") }
        guard bytes[position] == byte else {
            throw error("unexpected character \(Self.show(bytes[position])), expected \(Self.show(byte))")
        }
        position += 1
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    public func error(_ problem: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, problem: problem)
    }

    private static func show(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16, uppercase: true)
    }
}
