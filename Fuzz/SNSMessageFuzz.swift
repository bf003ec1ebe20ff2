// libFuzzer entry point for the SNS HTTP message parser and its signature canonicalisation:
// any body must either decode or be refused with an SNSRejection, never trap, and a decoded
// message's string to sign must hold every signed field it names. Built by scripts/fuzz.sh
// with SNSHTTPMessage.swift, SNSLambdaEvent.swift and SNSRejection.swift, which need only
// Foundation.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSNSMessage(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    if let message = try? SNSHTTPMessage(body: bytes) {
        let text = message.stringToSign
        precondition(text.hasPrefix("Message\n"), "the string to sign starts with the Message field")
        precondition(text.contains("\nType\n\(message.kind.rawValue)\n"), "the string to sign ends with the Type field")
        _ = SNSHTTPMessage.date(message.timestamp)
    }
    return 0
}
