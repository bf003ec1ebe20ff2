/// The optional `serve:` section: where the daemon listens and how long it may finish its
/// work after SIGTERM. The `serve` command's flags win over it; what neither sets takes the
/// defaults (`0.0.0.0`, `8080`, `30s`).
///
/// ```yaml
/// serve: { host: 0.0.0.0, port: 8080, shutdown_grace: 30s }
/// ```
public struct ServeSettings: Sendable, Equatable {
    public var host: String?
    public var port: Int?
    public var shutdownGrace: Duration?

    public init(host: String? = nil, port: Int? = nil, shutdownGrace: Duration? = nil) {
        self.host = host
        self.port = port
        self.shutdownGrace = shutdownGrace
    }

    init(options: inout ConfigMapping) throws(ConfigError) {
        host = try options.optional("host")?.nonEmptyString(expected: "an address such as 0.0.0.0")
        port = try options.optional("port")?.int(in: 0...65535)
        shutdownGrace = try options.optional("shutdown_grace")?.duration()
    }

    /// What is set, for `check`.
    public var settings: [ConfigSetting] {
        [host.map { ConfigSetting("host", $0) }, port.map { ConfigSetting("port", "\($0)") }, shutdownGrace.map { ConfigSetting("shutdown_grace", duration: $0) }]
            .compactMap { $0 }
    }
}
