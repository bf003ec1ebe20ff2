import RouterCore

/// A DynamoDB attribute value as the JSON protocol writes it. The store reads and writes
/// strings (`S`) and numbers (`N`); other types decode to `other` and are never written.
enum AttributeValue: Codable, Hashable, Sendable {
    case string(String)
    case number(String)
    case other

    private enum Key: String, CodingKey {
        case S, N
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        if let value = try container.decodeIfPresent(String.self, forKey: .S) {
            self = .string(value)
        } else if let value = try container.decodeIfPresent(String.self, forKey: .N) {
            self = .number(value)
        } else {
            self = .other
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .other: break
        }
    }

    /// As the JSON protocol writes it: `{"S": …}` or `{"N": …}`.
    var json: JSONValue {
        switch self {
        case .string(let value): ["S": .string(value)]
        case .number(let value): ["N": .string(value)]
        case .other: [:]
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return Double(value) }
        return nil
    }
}

/// One item (or key) of a table.
typealias DynamoItem = [String: AttributeValue]

extension DynamoItem {
    var json: JSONValue { .object(mapValues(\.json)) }
}
