import FoundationEssentials

/// An endpoint's base URL taken apart once, so that many signed requests to it (a fan-out's
/// posts) do not parse it again: the scheme, the `Host` header (with the port when it is not
/// the scheme's default) and the base path every request path goes below.
public struct EndpointURL: Sendable, Hashable {
    public let scheme: String
    /// The `Host` header: the host name, and the port when it is not the scheme's default.
    public let host: String
    /// The host name alone, and the port (nil: the scheme's default), to connect to.
    public let hostName: String
    public let port: Int?
    /// Empty, or a path without a trailing slash (`/production`).
    public let basePath: String

    public init(scheme: String, host: String, port: Int?, basePath: String) {
        let isDefaultPort = port == nil || (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
        self.scheme = scheme
        self.host = isDefaultPort ? host : "\(host):\(port!)"
        self.hostName = host
        self.port = isDefaultPort ? nil : port
        self.basePath = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
    }

    /// `url` (`https://host[:port][/base]`), nil when it is not one.
    public init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host, !host.isEmpty else {
            return nil
        }
        self.init(scheme: scheme, host: host, port: components.port, basePath: components.percentEncodedPath)
    }
}
