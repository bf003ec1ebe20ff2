/// The route table used when there is no routes.yaml: the original pusher's behaviour,
/// configured by the same two environment variables, plus the `dev` environment that runs
/// with no AWS account (in-memory connections and rooms, posting to the local gateway at
/// `DEV_GATEWAY_URL`, which `dev` sets to its own address).
public enum DefaultRoutes {
    /// How messages and errors name this table.
    public static let origin = "built-in default"

    public static let yaml = """
        version: 1
        stores:
          connections: { type: dynamodb, table: "${CONNECTIONS_TABLE_NAME}", expires_attribute: expires_at }
        sinks:
          websocket: { type: apigw, endpoint: "${APIGW_ENDPOINT}", store: connections }
        routes:
          - name: default
            filters: [dedupe, exclude]
            to: websocket
        environments:
          dev:
            stores:
              connections: { type: memory }
              rooms: { type: memory-rooms }
            sinks: { websocket: { type: apigw, endpoint: "${DEV_GATEWAY_URL:-http://127.0.0.1:8080}" } }
            routes:
              - name: default
                filters: [dedupe, { rooms: { directory: rooms } }, exclude]
                to: websocket
        """
}
