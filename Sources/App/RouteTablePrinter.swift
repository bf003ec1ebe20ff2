import RouterCore

/// Renders a ``RouteTable`` for `check`: every component with its type and resolved settings
/// (secrets masked), then every route with its sources, filters and sink, then the `serve:`
/// settings when the table has any.
public enum RouteTablePrinter {
    public static func render(_ table: RouteTable) -> String {
        var lines = [table.summary]
        func section<C>(_ title: String, _ components: [RouteTable.Component<C>], settings: (C) -> [ConfigSetting]) {
            guard !components.isEmpty else { return }
            lines.append("")
            lines.append(title)
            for component in components {
                lines.append("  \(component.name) (\(component.type))")
                for setting in settings(component.configuration) { lines.append("    \(setting.key): \(setting.value)") }
            }
        }
        section("connection stores", table.connectionStores) { $0.settings }
        section("room directories", table.roomDirectories) { $0.settings }
        section("sinks", table.sinks) { $0.settings }
        section("sources", table.sources) { $0.settings }
        lines.append("")
        lines.append("routes")
        for route in table.routes {
            lines.append("  \(route.name)")
            lines.append("    from: " + (route.from.isEmpty ? "any source" : route.from.joined(separator: ", ")))
            for (attribute, values) in route.match.sorted(by: { $0.key < $1.key }) {
                lines.append("    match: \(attribute) in [\(values.joined(separator: ", "))]")
            }
            for (index, stage) in route.stages.enumerated() {
                let settings = stage.configuration.settings.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                lines.append("    \(index + 1). \(stage.name)" + (settings.isEmpty ? "" : " \(settings)"))
            }
            lines.append("    to: \(route.to)")
            lines.append("    on_invalid: \(route.onInvalid.rawValue)")
            if let split = route.split {
                lines.append("    split: via=\(split.via) segments=\(split.segments) users_per_task=\(split.usersPerTask) "
                    + "task_budget=\(split.taskBudget.components.seconds)s max_hops=\(split.maxHops)")
            }
        }
        if !table.serve.settings.isEmpty {
            lines.append("")
            lines.append("serve")
            lines += table.serve.settings.map { "  \($0.key): \($0.value)" }
        }
        return lines.joined(separator: "\n")
    }
}
