/// A component could not be built from its validated options (a missing region, a resource
/// the program does not provide); the message names what to fix.
public typealias PluginBuildError = CodedError<PluginBuild>

/// The domain of ``PluginBuildError``.
public enum PluginBuild {}

extension ErrorCode where Domain == PluginBuild {
    /// A setting the component needs is neither in its options nor in the environment (e.g.
    /// an AWS region).
    public static var missingSetting: Self { Self("missingSetting") }
    /// A setting from the environment is set but cannot be used (an endpoint that is not a URL).
    public static var invalidSetting: Self { Self("invalidSetting") }
    /// The program provides no resource of a type the component needs, or a component it
    /// names was not built.
    public static var missingResource: Self { Self("missingResource") }
    /// A named component failed to build; the message says which and where in the file.
    public static var component: Self { Self("component") }
}
