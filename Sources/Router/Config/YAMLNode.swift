/// A YAML node as the route table reads it: a scalar's text (and whether it was quoted), a
/// sequence or a mapping, at the line and column where it starts.
struct YAMLNode: Sendable {
    enum Content: Sendable {
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        /// Keys in file order; each key is a scalar node, so it has its own place.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    let content: Content
    let line: Int
    let column: Int

    /// The text of a scalar key.
    var text: String {
        if case .scalar(let text, _) = content { return text }
        return ""
    }
}

/// A YAML syntax error at a line and column, in words for the person fixing the file.
struct YAMLSyntaxError: Error, Sendable {
    let line: Int
    let column: Int
    let message: String
}
