/// An error from Redis or from talking to it.
public struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// Could not connect (refused, unreachable, timed out).
        case connectionFailed = "connection_failed"
        /// The connection broke while talking.
        case io
        /// Redis answered with an error reply (`ERR`, `NOAUTH`, `WRONGTYPE`...).
        case server
        /// A reply of an unexpected shape.
        case protocolMismatch = "protocol_mismatch"
    }
    public var code: Code
    public var message: String
    /// Where: `host:port` and the command name, never arguments (they may hold secrets).
    public var context: String

    public init(code: Code, message: String, context: String) { self.code = code; self.message = message; self.context = context }
    public var description: String { "redis \(code.rawValue) (\(context)): \(message)" }
}
