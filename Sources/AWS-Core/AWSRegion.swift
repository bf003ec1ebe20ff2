/// Region names as AWS spells them (`us-east-1`, `eu-central-2`, `cn-north-1`,
/// `us-gov-west-1`): lowercase letters, digits and dashes, at least three parts.
public enum AWSRegion {
    /// The region the AWS SDKs would use: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
    /// profile's `region` in the shared config file.
    public static func resolve(environment: [String: String]) -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let region = environment[name], !region.isEmpty { return region }
        }
        return SharedConfigCredentialProvider(environment: environment).region()
    }

    public static func isValid(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts.allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        }
    }
}
