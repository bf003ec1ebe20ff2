// libFuzzer entry point for the notification request parser: any input must either parse
// or be rejected with an InvalidRequest, never trap. Built by scripts/fuzz.sh together with
// the parser's sources (Sources/Router/Request), which depend on nothing but the stdlib.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    if let request = try? RequestParser().parse(bytes) {
        // A parsed payload must itself be one valid JSON value.
        precondition((try? Payload(json: request.data.bytes)) != nil, "parser accepted data that is not JSON")
    }
    return 0
}
