import Foundation
import RouterCore
import RouterTestSupport
import Testing

/// Random valid requests: the extracted `data` bytes parse to the same JSON value as the
/// request's `data` does when the whole request is parsed by Foundation.
@Suite("Request parser properties")
struct RequestParserPropertyTests {
    @Test("data bytes parse to the same value as the original's data", arguments: 0..<8)
    func dataRoundTrips(_ block: Int) throws {
        for index in 0..<100 {
            let seed = UInt64(block * 100 + index)
            var random = SeededGenerator(seed: seed)
            var data = RandomJSON.value(depth: 0, using: &random)
            if data == "null" { data = "[null]" }  // a null data is invalid by design
            let users = (0..<Int.random(in: 0...3, using: &random)).map { _ in "u" + RandomJSON.string(using: &random) }
            var members = [("data", data)]
            if !users.isEmpty { members.append(("users", RandomJSON.array(users.map(RandomJSON.quoted)))) }
            members.append(("extra", RandomJSON.value(depth: 1, using: &random)))
            members.shuffle(using: &random)
            let request = "{" + members.map { "\(RandomJSON.space(&random))\"\($0.0)\"\(RandomJSON.space(&random)):\(RandomJSON.space(&random))\($0.1)" }
                .joined(separator: ",") + RandomJSON.space(&random) + "}"

            let parsed = try RequestParser().parse(Array(request.utf8))
            let whole = try JSONSerialization.jsonObject(with: Data(request.utf8), options: [.fragmentsAllowed]) as? [String: Any]
            let original = try #require(whole?["data"], "seed \(seed)")
            let extracted = try JSONSerialization.jsonObject(with: Data(parsed.data.bytes), options: [.fragmentsAllowed])
            #expect(canonical(extracted) == canonical(original), "seed \(seed): \(request)")
            #expect(parsed.users == users, "seed \(seed)")
        }
    }

    private func canonical(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "<unserialisable>"
    }
}

/// Generates random JSON text with random whitespace, escapes and number forms.
enum RandomJSON {
    static func value(depth: Int, using random: inout SeededGenerator) -> String {
        let choice = Int.random(in: 0...(depth > 3 ? 4 : 6), using: &random)
        switch choice {
        case 0: return ["true", "false", "null"].randomElement(using: &random)!
        case 1: return number(using: &random)
        case 2, 3: return quoted(string(using: &random))
        case 4: return quoted(escapedString(using: &random), raw: true)
        case 5:
            let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, using: &random) }
            return "[" + items.map { space(&random) + $0 + space(&random) }.joined(separator: ",") + "]"
        default:
            var keys = Set<String>()
            let members = (0..<Int.random(in: 0...4, using: &random)).compactMap { _ -> String? in
                let key = string(using: &random)
                guard keys.insert(key).inserted else { return nil }
                return space(&random) + quoted(key) + space(&random) + ":" + space(&random) + value(depth: depth + 1, using: &random)
            }
            return "{" + members.joined(separator: ",") + space(&random) + "}"
        }
    }

    static func number(using random: inout SeededGenerator) -> String {
        switch Int.random(in: 0...3, using: &random) {
        case 0: return String(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 1: return String(Int.random(in: 0...999, using: &random)) + "." + String(Int.random(in: 0...999, using: &random))
        case 2: return "-" + String(Int.random(in: 1...9, using: &random)) + "e" + ["", "+", "-"].randomElement(using: &random)! + String(Int.random(in: 0...20, using: &random))
        default: return "0"
        }
    }

    static func string(using random: inout SeededGenerator) -> String {
        let alphabet = Array("abcXYZ019 _-/é😀\"\\\n\t") + ["\u{7F}", "\u{2028}"]
        return String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    /// JSON string content written with \u escapes (including surrogate pairs).
    static func escapedString(using random: inout SeededGenerator) -> String {
        let escapes = [#"\u00e9"#, #"\ud83d\ude00"#, #"\/"#, #"\b"#, #"\f"#, #"\r"#, #"\u0000"#, "plain"]
        return (0..<Int.random(in: 1...5, using: &random)).map { _ in escapes.randomElement(using: &random)! }.joined()
    }

    static func quoted(_ text: String) -> String { quoted(text, raw: false) }

    static func quoted(_ text: String, raw: Bool) -> String {
        guard !raw else { return "\"\(text)\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func space(_ random: inout SeededGenerator) -> String {
        [" ", "", "\n", "\t", "  ", ""].randomElement(using: &random)!
    }
}
