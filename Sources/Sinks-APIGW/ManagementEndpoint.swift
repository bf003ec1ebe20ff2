import AWSCore
import FoundationEssentials

/// The base URL of an API Gateway Management API: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`
/// or a custom domain with a base path (`https://live.example.com/push`). Posts go to
/// `{base}/@connections/{id}`.
///
/// Accepts what people paste: the WebSocket URL (`wss://` becomes `https://`, `ws://`
/// becomes `http://`) and the connection URL (a trailing `/@connections` is removed).
public struct ManagementEndpoint: Sendable, Hashable {
    public let scheme: String
    public let host: String
    public let port: Int?
    /// The base path without a trailing slash (`/production`, `/push`, or empty).
    public let basePath: String
    /// Username and password in the URL, kept out of every printout.
    public let hasCredentials: Bool

    public init?(_ text: String) {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil
        else { return nil }
        switch scheme {
        case "https", "wss": self.scheme = "https"
        case "http", "ws": self.scheme = "http"
        default: return nil
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/@connections") { path.removeLast("/@connections".count) }
        components.path = path
        self.host = host.lowercased()
        self.port = components.port
        self.basePath = path
        self.hasCredentials = components.user != nil || components.password != nil
    }

    /// The region in an `execute-api` host name, if it is one.
    public var region: String? {
        let labels = host.split(separator: ".")
        guard labels.count >= 5, labels[1] == "execute-api", AWSRegion.isValid(String(labels[2])) else { return nil }
        return String(labels[2])
    }

    /// The URL as `check` prints it (credentials never shown).
    public var display: String {
        let portText = port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(hasCredentials ? "****@" : "")\(host)\(portText)\(basePath)"
    }
}
