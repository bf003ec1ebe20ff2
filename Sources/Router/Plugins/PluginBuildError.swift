/// A component could not be built from its validated options (a missing region, a resource
/// the program does not provide). Callers branch on ``code``; the message names what to fix.
public struct PluginBuildError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across versions (new codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case missingSetting, missingResource, component
        }

        private let value: Value

        /// A setting the component needs is neither in its options nor in the environment
        /// (e.g. an AWS region).
        public static let missingSetting = Code(value: .missingSetting)
        /// The program provides no resource of a type the component needs, or a component it
        /// names was not built.
        public static let missingResource = Code(value: .missingResource)
        /// A named component failed to build; the message says which and where in the file.
        public static let component = Code(value: .component)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
