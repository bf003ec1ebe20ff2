import ArgumentParser
import FoundationEssentials
import RouterApp

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a routes.yaml and print the resolved route table.",
        discussion: "Prints every store, sink, source and route after variable expansion (secrets masked), or every error with its file:line:column. Exits 1 when there are errors."
    )

    @Argument(help: "The routes.yaml to check (default: as --routes).")
    var file: String?

    @OptionGroup var options: CommonOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let routesFile = RoutesFile(explicit: file ?? options.routes, environment: environment)
        do {
            let table = try routesFile.load(environment: environment, environmentName: options.environmentName)
            print(RouteTablePrinter.render(table))
        } catch {
            StandardStream.error.write(error.description + "\n")
            let count = error.errors.count
            StandardStream.error.write("\(count) error\(count == 1 ? "" : "s") in \(routesFile.path ?? DefaultRoutes.origin)\n")
            throw ExitCode(1)
        }
    }
}
