/// A Lua script run by its SHA1 (`EVALSHA`), loaded again if the server lost it (a
/// restart, `SCRIPT FLUSH`): what every script-based client here needs.
public struct RedisScript: Sendable {
    public let name: String
    public let source: String
    /// The SHA1 the server knows it by (empty until loaded).
    public private(set) var sha = ""

    public init(name: String, source: String) { self.name = name; self.source = source }

    /// Loads it (`SCRIPT LOAD`) on `connection`.
    public mutating func load(on connection: RedisConnection) throws {
        guard let loaded = try connection.command(["SCRIPT", "LOAD", source]).string else {
            throw RedisError(code: .protocolMismatch, message: "SCRIPT LOAD of \(name) failed", context: connection.endpoint)
        }
        sha = loaded
    }

    /// Runs it with `keys` and `arguments`; a NOSCRIPT answer loads it and runs it again.
    /// A script error is thrown as a `.server` error naming the script.
    public mutating func run(on connection: RedisConnection, keys: [String], arguments: [String]) throws -> RedisReply {
        var reply = try connection.command(["EVALSHA", sha, String(keys.count)] + keys + arguments)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            try load(on: connection)
            reply = try connection.command(["EVALSHA", sha, String(keys.count)] + keys + arguments)
        }
        if case .error(let message) = reply {
            throw RedisError(code: .server, message: message, context: "\(connection.endpoint) \(name)")
        }
        return reply
    }
}
