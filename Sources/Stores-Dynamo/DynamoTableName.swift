/// DynamoDB's rule for table names: 3 to 255 characters from `a-z A-Z 0-9 _ - .`.
enum DynamoTableName {
    static func isValid(_ name: String) -> Bool {
        (3...255).contains(name.utf8.count) && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)
        }
    }
}
