import Foundation
import RouterTestSupport
import Testing

/// The helper every command test runs the binary with.
@Suite("command runner")
struct CommandResultTests {
    @Test("a child that writes more than a pipe holds to standard error, then to standard output, is read to the end")
    func largeStandardError() throws {
        let result = try CommandResult.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "head -c 300000 /dev/zero | tr '\\\\0' e >&2; echo done"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0 && result.standardOutput == "done\n")
        #expect(result.standardError.count == 300_000)
    }
}
