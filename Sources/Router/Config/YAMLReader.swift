/// Reads the YAML that configuration files are written in, without Foundation (whose
/// regular expressions, which the YAML libraries use, bring 34 MB of ICU data into the Lambda
/// package; docs/benchmarks-analysis.md).
///
/// What it reads: block mappings and sequences by indentation (a sequence may sit at its
/// key's indentation), flow mappings and sequences (`{ a: 1 }`, `[a, b]`, across lines),
/// plain, single-quoted and double-quoted scalars (with YAML's escapes; line breaks in
/// quotes fold to spaces), comments, and one document with an optional `---` and `...`.
///
/// What it refuses, each with an error at its place: anchors, aliases and tags (so a
/// document cannot expand beyond its size), block scalars (`|`, `>`), complex keys (`?`),
/// directives, several documents, tabs in indentation, duplicate keys in a mapping, and a
/// plain scalar continued on the next line.
struct YAMLReader {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The document's root node; nil for a document with no content.
    static func read(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var reader = YAMLReader(text)
        return try reader.document()
    }

    // MARK: - Document

    private mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
        try skipSpaceAndComments()
        if atLineStart, startsLine(with: "---") {
            advance(by: 3)
            try skipSpaceAndComments()
        }
        guard !atEnd, !(atLineStart && startsLine(with: "...")) else { return nil }
        try refuseDirective()
        let root = try blockNode(parentIndent: -1, in: .root)
        try skipSpaceAndComments()
        if !atEnd, atLineStart, startsLine(with: "...") {
            advance(by: 3)
            try skipSpaceAndComments()
        }
        guard atEnd else {
            if startsLine(with: "---") { throw error("a second document; a configuration file holds one") }
            throw error(column > 1 ? "unexpected indentation: this line is indented more than the lines before it allow" : "unexpected content after the document")
        }
        return root
    }

    // MARK: - Block structure

    /// Where a block node sits, which decides what may start it.
    private enum Parent {
        case root
        /// A mapping's value: a sequence may sit at the key's indentation, and a mapping
        /// may not start on the key's line.
        case mapping
        /// A sequence entry: a mapping may start on the entry's line (`- name: a`).
        case sequence
    }

    /// The node at the next content, belonging to a parent indented `parentIndent` columns
    /// (-1 for the root): a block sequence, block mapping, flow collection or scalar.
    /// Nothing there (the next line indented no more than the parent) is an empty scalar.
    private mutating func blockNode(parentIndent: Int, in parent: Parent) throws(YAMLSyntaxError) -> YAMLNode {
        let (startLine, startColumn) = (line, column)
        try skipSpaceAndComments()
        let indent = column - 1
        let onNewLine = line > startLine
        let sharesIndent = indent == parentIndent && parent == .mapping && isSequenceEntry
        let isDocumentMarker = indent == 0 && (startsLine(with: "---") || startsLine(with: "..."))
        if atEnd || onNewLine && (indent < parentIndent || indent == parentIndent && !sharesIndent || isDocumentMarker) {
            return YAMLNode(content: .scalar("", quoted: false), line: startLine, column: startColumn)
        }
        try refuseUnsupported()
        if isSequenceEntry {
            if !onNewLine && parent == .mapping { throw error("a list cannot start on its key's line; start it on the next line") }
            return try blockSequence(indent: indent)
        }
        if peek == UInt8(ascii: "[") || peek == UInt8(ascii: "{") {
            let node = try flowNode()
            try endOfLine()
            return node
        }
        let scalar = try scalarNode(flow: false)
        if isMappingIndicator(flow: false) {
            if !onNewLine && parent == .mapping {
                throw error(
                    "a mapping cannot start on its key's line; put '\(scalar.text)' on a line of its own, indented", line: scalar.line, column: scalar.column)
            }
            return try blockMapping(indent: indent, firstKey: scalar)
        }
        try endOfLine()
        return scalar
    }

    private mutating func blockSequence(indent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let (startLine, startColumn) = (line, column)
        var items: [YAMLNode] = []
        while true {
            advance(by: 1)  // the "-"
            items.append(try blockNode(parentIndent: indent, in: .sequence))
            guard try nextEntry(at: indent), isSequenceEntry else { break }
        }
        return YAMLNode(content: .sequence(items), line: startLine, column: startColumn)
    }

    private mutating func blockMapping(indent: Int, firstKey: YAMLNode) throws(YAMLSyntaxError) -> YAMLNode {
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        var key = firstKey
        while true {
            advance(by: 1)  // the ":"
            try checkUnique(key, among: entries, mappingStart: firstKey)
            entries.append((key, try blockNode(parentIndent: indent, in: .mapping)))
            guard try nextEntry(at: indent) else { break }
            if isSequenceEntry { throw error("a list entry where a key of the mapping at column \(indent + 1) was expected") }
            try refuseUnsupported()
            key = try scalarNode(flow: false)
            guard isMappingIndicator(flow: false) else {
                throw error("expected ':' after the key '\(key.text)'", line: key.line, column: key.column)
            }
        }
        return YAMLNode(content: .mapping(entries), line: firstKey.line, column: firstKey.column)
    }

    /// Moves to the next content line; true when it continues the collection indented
    /// `indent` columns, false when it belongs to a parent (or the document ended).
    private mutating func nextEntry(at indent: Int) throws(YAMLSyntaxError) -> Bool {
        try skipSpaceAndComments()
        guard !atEnd, !(column == 1 && (startsLine(with: "---") || startsLine(with: "..."))) else { return false }
        if column - 1 > indent { throw error("unexpected indentation: expected this line at column \(indent + 1), like the entries before it, or less") }
        return column - 1 == indent
    }

    // MARK: - Flow collections

    private mutating func flowNode() throws(YAMLSyntaxError) -> YAMLNode {
        try skipSpaceAndComments()
        try refuseUnsupported()
        guard peek == UInt8(ascii: "[") || peek == UInt8(ascii: "{") else { return try scalarNode(flow: true) }
        let isMapping = peek == UInt8(ascii: "{")
        let (startLine, startColumn) = (line, column)
        let closing = UInt8(ascii: isMapping ? "}" : "]")
        let name = isMapping ? "flow mapping" : "flow sequence"
        advance(by: 1)
        var items: [YAMLNode] = []
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        while true {
            try skipSpaceAndComments()
            if atEnd {
                throw error("the \(name) that starts at line \(startLine), column \(startColumn) ends without '\(Character(Unicode.Scalar(closing)))'")
            }
            if peek == closing { break }
            if isMapping {
                let key = try flowNode()
                guard case .scalar = key.content else { throw error("a mapping key must be a scalar", line: key.line, column: key.column) }
                try checkUnique(key, among: entries, mappingStart: YAMLNode(content: .scalar("", quoted: false), line: startLine, column: startColumn))
                try skipSpaceAndComments()
                if peek == UInt8(ascii: ":") {
                    advance(by: 1)
                    try skipSpaceAndComments()
                    let empty = peek == UInt8(ascii: ",") || peek == closing
                    entries.append((key, empty ? YAMLNode(content: .scalar("", quoted: false), line: line, column: column) : try flowNode()))
                } else {
                    entries.append((key, YAMLNode(content: .scalar("", quoted: false), line: key.line, column: key.column)))
                }
            } else {
                items.append(try flowNode())
            }
            try skipSpaceAndComments()
            if peek == UInt8(ascii: ",") {
                advance(by: 1)
            } else if peek != closing {
                if atEnd { continue }
                throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))' in the \(name) that starts at line \(startLine), column \(startColumn)")
            }
        }
        advance(by: 1)
        return YAMLNode(content: isMapping ? .mapping(entries) : .sequence(items), line: startLine, column: startColumn)
    }

    // MARK: - Scalars

    private mutating func scalarNode(flow: Bool) throws(YAMLSyntaxError) -> YAMLNode {
        let (startLine, startColumn) = (line, column)
        switch peek {
        case UInt8(ascii: "\""): return YAMLNode(content: .scalar(try doubleQuoted(), quoted: true), line: startLine, column: startColumn)
        case UInt8(ascii: "'"): return YAMLNode(content: .scalar(try singleQuoted(), quoted: true), line: startLine, column: startColumn)
        default: return YAMLNode(content: .scalar(try plain(flow: flow), quoted: false), line: startLine, column: startColumn)
        }
    }

    /// A plain scalar ends at a line break, at `: ` and at ` #`; in a flow collection also at `,`, `[`, `]`, `{`, `}`.
    private mutating func plain(flow: Bool) throws(YAMLSyntaxError) -> String {
        let start = index
        var end = index
        while let byte = peek, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
            if isMappingIndicator(flow: flow) { break }
            if byte == UInt8(ascii: "#"), index > start, bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t") { break }
            if flow, Self.flowIndicators.contains(byte) { break }
            advance(by: 1)
            if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { end = index }
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func singleQuoted() throws(YAMLSyntaxError) -> String {
        let (startLine, startColumn) = (line, column)
        advance(by: 1)
        var text: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("the quoted scalar that starts at line \(startLine), column \(startColumn) ends without \"'\"") }
            if byte == UInt8(ascii: "'") {
                advance(by: 1)
                guard peek == UInt8(ascii: "'") else { break }
                text.append(byte)
                advance(by: 1)
            } else if byte == UInt8(ascii: "\n") {
                foldLineBreak(into: &text)
            } else {
                text.append(byte)
                advance(by: 1)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func doubleQuoted() throws(YAMLSyntaxError) -> String {
        let (startLine, startColumn) = (line, column)
        advance(by: 1)
        var text: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("the quoted scalar that starts at line \(startLine), column \(startColumn) ends without '\"'") }
            switch byte {
            case UInt8(ascii: "\""):
                advance(by: 1)
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case UInt8(ascii: "\n"):
                foldLineBreak(into: &text)
            default:
                text.append(byte)
                advance(by: 1)
            }
        }
    }

    private mutating func escape(into text: inout [UInt8]) throws(YAMLSyntaxError) {
        let (escapeLine, escapeColumn) = (line, column)
        advance(by: 1)
        guard let byte = peek else { return }
        advance(by: 1)
        if let replacement = Self.simpleEscapes[byte] {
            text += replacement.utf8
            return
        }
        let digits = Self.hexEscapeDigits[byte]
        guard let digits, index + digits <= bytes.count,
              let value = UInt32(String(decoding: bytes[index..<index + digits], as: UTF8.self), radix: 16),
              let scalar = Unicode.Scalar(value)
        else {
            throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))' in a double-quoted scalar", line: escapeLine, column: escapeColumn)
        }
        advance(by: digits)
        text += String(Character(scalar)).utf8
    }

    /// `\n` and the other one-letter escapes of a double-quoted scalar, by their letter.
    private static let simpleEscapes: [UInt8: String] = [
        UInt8(ascii: "n"): "\n", UInt8(ascii: "t"): "\t", UInt8(ascii: "r"): "\r", UInt8(ascii: "0"): "\0",
        UInt8(ascii: "\""): "\"", UInt8(ascii: "\\"): "\\", UInt8(ascii: "/"): "/", UInt8(ascii: " "): " ",
        UInt8(ascii: "e"): "\u{1B}", UInt8(ascii: "a"): "\u{07}", UInt8(ascii: "b"): "\u{08}", UInt8(ascii: "f"): "\u{0C}",
        UInt8(ascii: "v"): "\u{0B}", UInt8(ascii: "N"): "\u{85}", UInt8(ascii: "_"): "\u{A0}",
    ]

    /// What ends a plain scalar inside a flow collection.
    private static let flowIndicators: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}")]

    /// The hex escapes `\x`, `\u` and `\U`: how many hex digits follow each letter (2, 4, 8).
    private static let hexEscapeDigits: [UInt8: Int] = [UInt8(ascii: "x"): 2, UInt8(ascii: "u"): 4, UInt8(ascii: "U"): 8]

    /// A line break inside quotes, with the next line's leading spaces, reads as one space.
    private mutating func foldLineBreak(into text: inout [UInt8]) {
        while text.last == UInt8(ascii: " ") || text.last == UInt8(ascii: "\t") { text.removeLast() }
        advance(by: 1)
        while peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") { advance(by: 1) }
        text.append(UInt8(ascii: " "))
    }

    // MARK: - What is refused

    private func refuseUnsupported() throws(YAMLSyntaxError) {
        switch peek {
        case UInt8(ascii: "&"): throw error("anchors (&) are not supported in route tables; repeat the value instead")
        case UInt8(ascii: "*"): throw error("aliases (*) are not supported in route tables; repeat the value instead")
        case UInt8(ascii: "!"): throw error("tags (!) are not supported in route tables; write the value alone")
        case UInt8(ascii: "|"), UInt8(ascii: ">"): throw error("block scalars (| and >) are not supported in route tables; write the value on one line, quoted if needed")
        case UInt8(ascii: "?") where isFollowedBySpace: throw error("complex keys (?) are not supported in route tables")
        case UInt8(ascii: "@"), UInt8(ascii: "`"): throw error("a plain scalar cannot start with '\(Character(Unicode.Scalar(peek!)))'; quote it")
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","): throw error("unexpected '\(Character(Unicode.Scalar(peek!)))' outside a flow collection")
        default: return
        }
    }

    private func refuseDirective() throws(YAMLSyntaxError) {
        if atLineStart, peek == UInt8(ascii: "%") { throw error("directives (%) are not supported in route tables") }
    }

    private func checkUnique(_ key: YAMLNode, among entries: [(key: YAMLNode, value: YAMLNode)], mappingStart: YAMLNode) throws(YAMLSyntaxError) {
        guard entries.contains(where: { $0.key.text == key.text }) else { return }
        throw YAMLSyntaxError(
            line: mappingStart.line, column: mappingStart.column,
            message: "duplicate key '\(key.text)' (again at line \(key.line), column \(key.column)) in the mapping that starts here; each key may appear once")
    }

    // MARK: - Position

    private var atEnd: Bool { index >= bytes.count }
    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    private var column: Int { columns(from: lineStart, to: index) + 1 }
    private var atLineStart: Bool { bytes[lineStart..<min(index, bytes.count)].allSatisfy { $0 == UInt8(ascii: " ") } }

    /// Characters, not bytes, between two offsets of one line.
    private func columns(from start: Int, to end: Int) -> Int {
        bytes[start..<min(end, bytes.count)].reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
    }

    private var isFollowedBySpace: Bool {
        index + 1 >= bytes.count || [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(bytes[index + 1])
    }

    private var isSequenceEntry: Bool { peek == UInt8(ascii: "-") && isFollowedBySpace }

    /// `:` followed by a space or line break (in a flow collection also by `,`, `]`, `}`).
    private func isMappingIndicator(flow: Bool) -> Bool {
        guard peek == UInt8(ascii: ":") else { return false }
        if isFollowedBySpace { return true }
        return flow && [UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[index + 1])
    }

    private func startsLine(with marker: String) -> Bool {
        let marker = Array(marker.utf8)
        guard index + marker.count <= bytes.count, Array(bytes[index..<index + marker.count]) == marker else { return false }
        let after = index + marker.count
        return after == bytes.count || [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[after])
    }

    private mutating func advance(by count: Int) {
        for _ in 0..<count where index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
    }

    /// Skips spaces, line breaks and comments; a tab in a line's indentation is an error.
    private mutating func skipSpaceAndComments() throws(YAMLSyntaxError) {
        while let byte = peek {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                advance(by: 1)
            case UInt8(ascii: "\t"):
                if atLineStart { throw error("a tab in the indentation; YAML indents with spaces") }
                advance(by: 1)
            case UInt8(ascii: "#") where index == lineStart || bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t"):
                while let next = peek, next != UInt8(ascii: "\n") { advance(by: 1) }
            default:
                return
            }
        }
    }

    /// After a node in block context, only spaces and a comment may follow on its line.
    private mutating func endOfLine() throws(YAMLSyntaxError) {
        while peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") || peek == UInt8(ascii: "\r") { advance(by: 1) }
        guard let byte = peek, byte != UInt8(ascii: "#"), byte != UInt8(ascii: "\n") else { return }
        if byte == UInt8(ascii: ":") { throw error("a mapping key must be a scalar on the line of its ':'") }
        throw error("unexpected '\(Character(Unicode.Scalar(byte)))' after the value")
    }

    private func error(_ message: String) -> YAMLSyntaxError {
        YAMLSyntaxError(line: line, column: column, message: message)
    }

    private func error(_ message: String, line: Int, column: Int) -> YAMLSyntaxError {
        YAMLSyntaxError(line: line, column: column, message: message)
    }
}
