/// An error from PostgreSQL or from talking to it.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        case connectionFailed = "connection_failed"
        /// The server refused a statement; `sqlState` says why (e.g. 42P01 undefined table).
        case statement
        case copy
    }
    public var code: Code
    public var message: String
    /// SQLSTATE when the server gave one.
    public var sqlState: String?
    /// Where: the server (host/port/database, never the password) and the statement's first words.
    public var context: String

    public init(code: Code, message: String, sqlState: String? = nil, context: String) {
        self.code = code; self.message = message; self.sqlState = sqlState; self.context = context
    }
    public var description: String { "postgres \(code.rawValue)\(sqlState.map { " [\($0)]" } ?? "") (\(context)): \(message)" }
}
