import RouterCore

/// One Query or Scan answer, read with RouterCore's ``RouterCore/JSONScanner``: of each item
/// only the attributes asked for, in one flat array, and the `LastEvaluatedKey`. A broadcast
/// reads one page per 1,000 or so connections; decoding pages into dictionaries through
/// Foundation cost about 5.7 µs and 21 allocations per connection (`scripts/bench-micro.sh`).
struct DynamoPage {
    /// The attribute names asked for, in the order of each item's values.
    let attributes: [String]
    /// `attributes.count` values per item; nil where the item lacks the attribute.
    private let values: [AttributeValue?]
    /// Where the next page starts; nil on the last page.
    let lastEvaluatedKey: DynamoItem?

    var count: Int { attributes.isEmpty ? 0 : values.count / attributes.count }

    /// The value of attribute number `attribute` (an index into ``attributes``) of item `item`.
    subscript(item: Int, attribute: Int) -> AttributeValue? {
        values[item * attributes.count + attribute]
    }

    /// Reads `bytes`, a Query or Scan answer; members other than `Items` and
    /// `LastEvaluatedKey` (`Count`, `ScannedCount`, …) are validated and skipped.
    init(reading bytes: [UInt8], attributes: [String]) throws(JSONSyntaxError) {
        self.attributes = attributes
        var values: [AttributeValue?] = []
        var lastEvaluatedKey: DynamoItem?
        var scanner = JSONScanner(bytes)
        try scanner.readObject { scanner, member throws(JSONSyntaxError) in
            switch member {
            case "Items":
                try scanner.readArray { scanner throws(JSONSyntaxError) in
                    let first = values.count
                    values.append(contentsOf: repeatElement(nil, count: attributes.count))
                    try scanner.readObject { scanner, name throws(JSONSyntaxError) in
                        guard let index = attributes.firstIndex(of: name) else {
                            _ = try scanner.skipValue()
                            return
                        }
                        values[first + index] = try Self.readAttributeValue(&scanner)
                    }
                }
            case "LastEvaluatedKey":
                var key: DynamoItem = [:]
                try scanner.readObject { scanner, name throws(JSONSyntaxError) in key[name] = try Self.readAttributeValue(&scanner) }
                lastEvaluatedKey = key
            default:
                _ = try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected content after the answer") }
        self.values = values
        self.lastEvaluatedKey = lastEvaluatedKey
    }

    /// `{"S": "…"}` or `{"N": "…"}`; any other type reads as `.other`.
    private static func readAttributeValue(_ scanner: inout JSONScanner) throws(JSONSyntaxError) -> AttributeValue {
        var value = AttributeValue.other
        try scanner.readObject { scanner, type throws(JSONSyntaxError) in
            let isText = try scanner.peekKind() == .string
            switch type {
            case "S" where isText: value = .string(try scanner.readString())
            case "N" where isText: value = .number(try scanner.readString())
            default: _ = try scanner.skipValue()
            }
        }
        return value
    }
}
