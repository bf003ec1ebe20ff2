import FoundationEssentials

/// Connection ids shaped like API Gateway's: 11 random bytes in base64, 16 characters ending
/// in `=` and possibly holding `+` and `/`, so that clients and the router meet the same
/// encoding problems locally as in production.
enum GatewayConnectionID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let random = [generator.next(), generator.next()]
        let bytes = random.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }.prefix(11)
        return Data(bytes).base64EncodedString()
    }
}
