import FoundationEssentials

extension AWSClient {
    /// An AWS Query protocol call (SNS): `POST /` with a form-encoded body of `Action`,
    /// `Version` and the parameters; the XML answer is returned as is.
    public func query(
        _ service: AWSService, action: String, version: String, parameters: [(String, String)], region: String,
        deadline: ContinuousClock.Instant
    ) async throws(AWSError) -> [UInt8] {
        let form = ([("Action", action), ("Version", version)] + parameters)
            .map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }
            .joined(separator: "&")
        let base = endpoints.url(service: service.sdkID, hostPrefix: service.hostPrefix, region: region)
        return try await send(
            method: "POST", url: base, path: "/", service: service.signingName, region: region,
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Array(form.utf8), deadline: deadline)
    }
}

/// The text of the first `<tag>…</tag>` in an XML answer, entities decoded; enough for the
/// few values the router reads from Query answers (`MessageId`, `TopicArn`).
public enum XMLText {
    public static func first(_ tag: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.firstRange(of: "<\(tag)>"), let close = text[open.upperBound...].firstRange(of: "</\(tag)>") else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound])
            .replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }
}
