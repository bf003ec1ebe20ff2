import FoundationEssentials

/// Reads an error answer: JSON `__type` / `message` (or `Message`), else the `x-amzn-ErrorType`
/// header, else the HTTP status.
enum AWSErrorDecoding {
    static func decode(status: Int, header: (String) -> String?, body: [UInt8]) -> AWSError {
        let requestID = header("x-amzn-RequestId") ?? header("x-amz-request-id")
        var code = header("x-amzn-ErrorType").map(shortCode)
        var message: String?
        if let fields = try? JSONDecoder().decode(JSONErrorFields.self, from: Data(body)) {
            if let type = fields.__type ?? fields.code ?? fields.Code { code = shortCode(type) }
            message = fields.message ?? fields.Message
        }
        if code == nil, let xmlCode = XMLText.first("Code", in: body) {
            code = xmlCode
            message = message ?? XMLText.first("Message", in: body)
        }
        return AWSError(code: code ?? "HTTP\(status)", message: message ?? "the service answered HTTP \(status)", statusCode: status, requestID: requestID)
    }

    /// What a JSON error answer may say; services differ in case.
    private struct JSONErrorFields: Decodable {
        let __type: String?
        let code: String?
        let Code: String?
        let message: String?
        let Message: String?
    }

    /// `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` → `ResourceNotFoundException`;
    /// `SignatureDoesNotMatch:http://…` → `SignatureDoesNotMatch`.
    static func shortCode(_ type: String) -> String {
        let afterHash = type.split(separator: "#").last.map(String.init) ?? type
        return afterHash.split(separator: ":").first.map(String.init) ?? afterHash
    }
}
