/// `max-payload`: rejects a request whose `data` is over the limit before anything is
/// posted. The default, 131072 bytes, is API Gateway's frame limit: a larger post would be
/// answered 413 by every connection.
public struct MaxPayloadStage: FilterStage {
    public static let apiGatewayLimit = 131_072

    public var name: String { "max-payload" }
    public let limit: Int

    public init(limit: Int = apiGatewayLimit) {
        self.limit = limit
    }

    public func process(_ delivery: Delivery) async throws -> StageDecision {
        let size = delivery.request.data.count
        guard size <= limit else {
            return .drop(.invalid(
                "payload_too_large",
                "data is \(size) bytes, over this route's max-payload of \(limit) bytes"))
        }
        return .pass(delivery)
    }
}

extension MaxPayloadStage {
    /// `max-payload: { bytes: 131072 }`.
    public struct Configuration: StageConfiguration {
        public let bytes: Int

        public init(options: inout ConfigMapping) throws(ConfigError) {
            bytes = try options.optional("bytes")?.int(in: 1...16_777_216) ?? MaxPayloadStage.apiGatewayLimit
        }

        public var settings: [ConfigSetting] { [ConfigSetting("bytes", "\(bytes)")] }

        public func makeStage(_ context: PluginContext) throws(PluginBuildError) -> any FilterStage {
            MaxPayloadStage(limit: bytes)
        }
    }
}
