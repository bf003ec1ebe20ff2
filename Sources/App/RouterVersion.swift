/// The release this binary was built from.
public enum RouterVersion {
    public static let current = "0.1.0"
}
