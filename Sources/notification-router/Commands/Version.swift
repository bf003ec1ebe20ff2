import ArgumentParser
import RouterApp

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print(RouterVersion.current)
    }
}
