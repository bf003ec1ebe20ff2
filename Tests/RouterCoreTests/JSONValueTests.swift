import RouterCore
import Testing

/// The JSON value that events, SQS answers, log lines and metrics are read into and written from.
@Suite struct JSONValueTests {
    @Test("reads any JSON, keeping integers apart from fractions; reads nothing that is not JSON")
    func parsing() throws {
        let value = try #require(JSONValue(parsing: Array(#"{"a":[1,2.5,"x",true,null],"b":{"c":-7}}"#.utf8)))
        #expect(value == ["a": [1, .number(2.5), "x", true, .null], "b": ["c": -7]])
        #expect(value["a"]?.array?.count == 5)
        #expect(value["b"]?["c"]?.int == -7)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["c"] == nil)
        #expect(JSONValue(parsing: Array("{\"a\":".utf8)) == nil)
        #expect(JSONValue(parsing: Array("not json".utf8)) == nil)
    }

    @Test("writes compact JSON with sorted keys and unescaped slashes, integers without a fraction")
    func encoding() {
        let value: JSONValue = ["z": 1, "a": ["path": "a/b", "ratio": .number(0.5), "whole": .number(3)], "m": [.null, false]]
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"a":{"path":"a/b","ratio":0.5,"whole":3},"m":[null,false],"z":1}"#)
    }

    @Test("escapes quotes, backslashes and control characters; keeps other text as UTF-8; reads back what it wrote")
    func escapingAndRoundTrip() throws {
        let text = "say \"hi\" \\ tab\t line\n\r bell\u{07} é 🚀 </p>"
        #expect(text.jsonQuoted == #""say \"hi\" \\ tab\t line\n\r bell\u0007 é 🚀 </p>""#)
        let value: JSONValue = [
            "text": .string(text), "list": [1, -2, .number(1.25), .number(1e300), .number(-0.5), "", [:], []],
            "nested": ["b": true, "a": .null], "": "empty key",
        ]
        #expect(JSONValue(parsing: value.encoded()) == value)
    }

    @Test("writes non-finite numbers as null and large whole numbers exactly")
    func numbers() {
        let value: JSONValue = [.number(.infinity), .number(.nan), .number(4_294_967_296), .number(1e20), .integer(Int.min)]
        #expect(String(decoding: value.encoded(), as: UTF8.self) == "[null,null,4294967296,1e+20,\(Int.min)]")
    }

    @Test("scalars read as text; null, arrays and objects do not")
    func scalarText() {
        #expect(JSONValue.string("ann").scalarText == "ann")
        #expect(JSONValue.integer(42).scalarText == "42")
        #expect(JSONValue.bool(true).scalarText == "true")
        #expect(JSONValue.null.scalarText == nil)
        #expect(JSONValue.array([]).scalarText == nil)
        #expect(JSONValue.object([:]).scalarText == nil)
    }
}
