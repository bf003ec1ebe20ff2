import RouterCore
import Testing

/// The route table's YAML reader, through `ConfigValue.load`: the shapes route tables are
/// written in, the places it reports, and what it refuses.
@Suite struct YAMLReaderTests {
    /// The tree in one line: mappings `{k: v}`, lists `[a, b]`, null `~`.
    static func render(_ value: ConfigValue) -> String {
        switch value.content {
        case .null: return "~"
        case .scalar(let text): return text
        case .sequence(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .mapping(let entries): return "{" + entries.map { "\($0.key): \(render($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func read(_ yaml: String) throws -> String {
        render(try ConfigValue.load(yaml: yaml, file: "t.yaml"))
    }

    @Test("block and flow styles read as the same tree")
    func styles() throws {
        let block = """
            # a route table
            version: 1
            stores:
              connections:
                type: dynamodb   # the table
                table: conns
            routes:
            - name: r
              to: websocket
              filters:
                - dedupe
                - max-payload: { bytes: 1024 }
            """
        let flow = """
            version: 1
            stores: { connections: { type: dynamodb, table: conns } }
            routes: [
              { name: r, to: websocket,
                filters: [dedupe, { max-payload: { bytes: 1024 } }] },   # spans lines
            ]
            """
        let expected = "{version: 1, stores: {connections: {type: dynamodb, table: conns}}, routes: [{name: r, to: websocket, filters: [dedupe, {max-payload: {bytes: 1024}}]}]}"
        #expect(try Self.read(block) == expected)
        #expect(try Self.read(flow) == expected)
    }

    @Test("scalars: plain with colons and hashes, quoted with escapes, empty values as null")
    func scalars() throws {
        let yaml = """
            ---
            url: http://localhost:8080/a#b
            words: a, b and c  
            single: 'it''s # not a comment'
            double: "tab\\there\\u00e9 \\"q\\""
            folded: "one
              two"
            empty:
            tilde: ~
            quoted-null: "null"
            list:
            -
            - x
            ...
            """
        #expect(try Self.read(yaml) == "{url: http://localhost:8080/a#b, words: a, b and c, single: it's # not a comment, double: tab\there\u{e9} \"q\", folded: one two, empty: ~, tilde: ~, quoted-null: null, list: [~, x]}")
        #expect(try Self.read("a: 1\r\nb:\r\n  - 2\r\n") == "{a: 1, b: [2]}")
        #expect(try Self.read("") == "~")
        #expect(try Self.read("# only a comment\n") == "~")
    }

    @Test("places: lines and columns of keys and values, in characters")
    func places() throws {
        let root = try ConfigValue.load(yaml: "name: \"é\"\nnested:\n  - { k: v }\n  - é: 'x'\n", file: "t.yaml")
        var mapping = try root.mapping()
        let name = mapping.optional("name")
        #expect(name?.location.description == "t.yaml:1:7")
        let items = try mapping.optional("nested")?.sequence() ?? []
        try #require(items.count == 2)
        #expect(items[0].location.description == "t.yaml:3:5")
        var first = try items[0].mapping()
        #expect(first.optional("k")?.location.description == "t.yaml:3:10")
        var second = try items[1].mapping()
        #expect(second.optional("é")?.location.description == "t.yaml:4:8")
    }

    @Test("what is refused, with its place", arguments: [
        ("a: &x 1\n", "t.yaml:1:4: invalid YAML: anchors (&) are not supported in route tables; repeat the value instead"),
        ("a: 1\nb: *x\n", "t.yaml:2:4: invalid YAML: aliases (*) are not supported in route tables; repeat the value instead"),
        ("a: !!str 1\n", "t.yaml:1:4: invalid YAML: tags (!) are not supported in route tables; write the value alone"),
        ("a: |\n  text\n", "t.yaml:1:4: invalid YAML: block scalars (| and >) are not supported in route tables; write the value on one line, quoted if needed"),
        ("a: 1\n---\nb: 2\n", "t.yaml:2:1: invalid YAML: a second document; a configuration file holds one"),
        ("a:\n\t- 1\n", "t.yaml:2:1: invalid YAML: a tab in the indentation; YAML indents with spaces"),
        ("a: 1\na: 2\n", "t.yaml:1:1: invalid YAML: duplicate key 'a' (again at line 2, column 1) in the mapping that starts here; each key may appear once"),
        ("s: { a: 1, a: 2 }\n", "t.yaml:1:4: invalid YAML: duplicate key 'a' (again at line 1, column 12) in the mapping that starts here; each key may appear once"),
        ("a: [1, 2\n", "t.yaml:2:1: invalid YAML: the flow sequence that starts at line 1, column 4 ends without ']'"),
        ("a: [1 2] x\n", "t.yaml:1:10: invalid YAML: unexpected 'x' after the value"),
        ("a: \"open\n", "t.yaml:2:1: invalid YAML: the quoted scalar that starts at line 1, column 4 ends without '\"'"),
        ("a: \"\\q\"\n", "t.yaml:1:5: invalid YAML: invalid escape '\\q' in a double-quoted scalar"),
        ("a: b: c\n", "t.yaml:1:4: invalid YAML: a mapping cannot start on its key's line; put 'b' on a line of its own, indented"),
        ("a: 1\n  b: 2\n", "t.yaml:2:3: invalid YAML: unexpected indentation: expected this line at column 1, like the entries before it, or less"),
        ("a: plain\n  continued\n", "t.yaml:2:3: invalid YAML: unexpected indentation: expected this line at column 1, like the entries before it, or less"),
        ("a:\n  - 1\n  b: 2\n", "t.yaml:3:3: invalid YAML: unexpected indentation: expected this line at column 1, like the entries before it, or less"),
        ("a:\n  b: 1\n  c\n", "t.yaml:3:3: invalid YAML: expected ':' after the key 'c'"),
        ("- 1\nb: 2\n", "t.yaml:2:1: invalid YAML: unexpected content after the document"),
    ])
    func refused(yaml: String, expected: String) {
        #expect(throws: ConfigError.self) { try ConfigValue.load(yaml: yaml, file: "t.yaml") }
        do {
            _ = try ConfigValue.load(yaml: yaml, file: "t.yaml")
        } catch {
            #expect(error.description == expected)
        }
    }
}
