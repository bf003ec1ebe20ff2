import RouterCore
import Testing

@Suite("Request parser")
struct RequestParserTests {
    let parser = RequestParser()

    func parse(_ text: String) throws -> NotificationRequest {
        try parser.parse(Array(text.utf8))
    }

    func reason(_ text: String) -> String? {
        do {
            _ = try parser.parse(Array(text.utf8))
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("reads every field of the original format and the new ones")
    func readsFields() throws {
        let request = try parse(#"{"id":"n-1","users":["a","b"],"exclude_users":["c"],"rooms":["r1"],"exclude_connections":["X="],"data":{"k":1}}"#)
        #expect(request.id == "n-1")
        #expect(request.users == ["a", "b"])
        #expect(request.excludeUsers == ["c"])
        #expect(request.rooms == ["r1"])
        #expect(request.excludeConnections == ["X="])
        #expect(request.data.bytes == Array(#"{"k":1}"#.utf8))
    }

    @Test("keeps data byte for byte: whitespace, escapes and number spelling inside it")
    func keepsDataBytes() throws {
        let data = #"{ "message" : "caf\u00e9 \"quoted\"",  "n": 1.50E+2, "list": [ 1 , 2 ] }"#
        let request = try parse("{\"users\":[\"a\"],\n  \"data\" :  \(data)  \n}")
        #expect(request.data.bytes == Array(data.utf8))
    }

    @Test("data may be any JSON value", arguments: [#""text""#, "42", "true", "[1,2]", "{}", "-0.5e-3"])
    func dataAnyValue(_ data: String) throws {
        #expect(try parse("{\"data\":\(data)}").data.bytes == Array(data.utf8))
    }

    @Test("absent, null and empty lists all mean no users")
    func emptyForms() throws {
        for text in [#"{"data":1}"#, #"{"users":null,"data":1}"#, #"{"users":[],"exclude_users":null,"data":1}"#] {
            let request = try parse(text)
            #expect(request.users.isEmpty && request.excludeUsers.isEmpty)
        }
    }

    @Test("unknown top-level fields are ignored, as the original pusher did")
    func unknownFieldsIgnored() throws {
        #expect(try parse(#"{"type":"chat","data":1,"extra":{"deep":[1]}}"#).data.bytes == Array("1".utf8))
    }

    @Test("each class of invalid request is rejected with its field and path", arguments: [
        (#"{"users":"alice","data":1}"#, "users must be an array of strings, got string at $.users"),
        (#"{"users":["a",7],"data":1}"#, "users must be an array of strings, got number at $.users[1]"),
        (#"{"exclude_users":{"a":1},"data":1}"#, "exclude_users must be an array of strings, got object at $.exclude_users"),
        (#"{"rooms":[["r"]],"data":1}"#, "rooms must be an array of strings, got array at $.rooms[0]"),
        (#"{"exclude_connections":true,"data":1}"#, "exclude_connections must be an array of strings, got boolean at $.exclude_connections"),
        (#"{"users":["a",""],"data":1}"#, "users must not contain an empty string at $.users[1]"),
        (#"{"id":5,"data":1}"#, "id must be a string, got number at $.id"),
        (#"{"id":"","data":1}"#, "id must not be empty at $.id"),
        (#"{"users":["a"]}"#, "data is required at $.data"),
        (#"{"data":null}"#, "data must not be null at $.data"),
        (#"{"data":1,"data":2}"#, "data appears more than once at $.data"),
        (#"["data"]"#, "request must be a JSON object, got array at $"),
        (#"{"data":1"#, "request is not valid JSON: unexpected end of input, expected '}' at byte 9"),
        (#"{"data":01}"#, "request is not valid JSON: leading zero in a number at byte 9"),
        (#"{"data":[1,]}"#, "request is not valid JSON: unexpected character ']' at byte 11"),
        (#"{"data":"\x"}"#, #"request is not valid JSON: invalid escape \x at byte 10"#),
        (#"{"data":1} x"#, "request is not valid JSON: unexpected data after the request object at byte 11"),
        ("", "request is not valid JSON: unexpected end of input at byte 0"),
    ])
    func rejects(_ input: String, _ expected: String) {
        #expect(reason(input) == expected)
    }

    @Test("invalid UTF-8, raw control characters and lone surrogates are rejected")
    func rejectsBadText() {
        #expect(throws: InvalidRequest.self) { try parser.parse([UInt8](#"{"data":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)) }
        #expect(reason("{\"data\":\"a\u{01}b\"}") == "request is not valid JSON: control character 0x1 in a string at byte 10")
        #expect(reason(#"{"data":"\ud800"}"#) == #"request is not valid JSON: unpaired UTF-16 surrogate in \u escape at byte 15"#)
    }

    @Test("escaped user ids are decoded")
    func decodesEscapes() throws {
        #expect(try parse(#"{"users":["caf\u00e9","\ud83d\ude00","a\/b"],"data":1}"#).users == ["café", "😀", "a/b"])
    }

    @Test("requests over the size cap are rejected before parsing")
    func sizeCap() {
        let small = RequestParser(maxRequestBytes: 32)
        let text = #"{"data":"0123456789012345678901234567890"}"#
        #expect(throws: InvalidRequest("request is \(text.utf8.count) bytes, over the limit of 32 bytes")) {
            try small.parse(Array(text.utf8))
        }
    }

    @Test("deep nesting is rejected, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(reason("{\"data\":\(deep)}")?.contains("nesting deeper than 128 levels") == true)
    }

    @Test("ids no store or gateway can accept are invalid before any read: users and rooms over 2,048 bytes, control characters in connection ids")
    func impossibleKeys() throws {
        let long = String(repeating: "u", count: 3000)
        #expect(throws: InvalidRequest.self) { try RequestParser().parse(Array(#"{"users":["alice","\#(long)"],"data":1}"#.utf8)) }
        do {
            _ = try RequestParser().parse(Array(#"{"users":["alice","\#(long)"],"data":1}"#.utf8))
        } catch {
            #expect(error.reason == "users holds an id of 3000 bytes; DynamoDB keys are at most 2048 bytes at $.users[1]")
        }
        #expect(throws: InvalidRequest.self) { try RequestParser().parse(Array(#"{"rooms":["\#(long)"],"data":1}"#.utf8)) }
        #expect(throws: InvalidRequest.self) { try RequestParser().parse(Array(#"{"exclude_connections":["a\u0007b"],"data":1}"#.utf8)) }
        let longest = String(repeating: "é", count: 1024)
        #expect(try RequestParser().parse(Array(#"{"users":["\#(longest)"],"data":1}"#.utf8)).users == [longest], "2,048 bytes exactly is a key")
    }
}
