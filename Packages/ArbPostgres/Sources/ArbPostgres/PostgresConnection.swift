import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where to connect. The password comes from the environment or a file, never the manifest.
public struct PostgresEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var connectTimeoutSeconds: Int

    public init(host: String, port: Int, user: String, database: String, password: String? = nil, connectTimeoutSeconds: Int = 3) {
        self.host = host; self.port = port; self.user = user; self.database = database
        self.password = password; self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `host:port/database` for messages: no credentials.
    public var display: String { "\(host):\(port)/\(database)" }
}

/// Rows of text values as PostgreSQL returns them (`nil` = SQL NULL).
public struct PostgresRows: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String?]]
}

/// One synchronous connection (libpq). Owned by one thread: the journal writer's.
public final class PostgresConnection {
    private let connection: OpaquePointer
    public let endpoint: PostgresEndpoint

    public init(_ endpoint: PostgresEndpoint) throws {
        self.endpoint = endpoint
        var keys = ["host", "port", "user", "dbname", "connect_timeout", "application_name"]
        var values = [endpoint.host, String(endpoint.port), endpoint.user, endpoint.database, String(endpoint.connectTimeoutSeconds), "arbd"]
        if let password = endpoint.password { keys.append("password"); values.append(password) }
        let connection: OpaquePointer? = Self.withCStrings(keys) { k in Self.withCStrings(values) { v in PQconnectdbParams(k, v, 0) } }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "out of memory", context: endpoint.display)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message, context: endpoint.display)
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs one or more statements with no parameters; returns the last result's rows.
    @discardableResult
    public func execute(_ sql: String) throws -> PostgresRows {
        guard let result = PQexec(connection, sql) else { throw statementError(sql, nil) }
        defer { PQclear(result) }
        return try rows(of: result, sql: sql)
    }

    /// Runs one statement with text parameters ($1, $2...), safely quoted by the server.
    @discardableResult
    public func execute(_ sql: String, parameters: [String?]) throws -> PostgresRows {
        let result: OpaquePointer? = Self.withOptionalCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw statementError(sql, nil) }
        defer { PQclear(result) }
        return try rows(of: result, sql: sql)
    }

    /// Bulk-loads rows with `COPY table (columns) FROM STDIN` in text format: one round
    /// trip per batch instead of one per row.
    public func copy(into table: String, columns: [String], rows: [[String?]]) throws {
        let statement = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        guard let start = PQexec(connection, statement) else { throw statementError(statement, nil) }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw statementError(statement, start)
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 * max(rows.count, 1))
        for row in rows {
            for (i, value) in row.enumerated() {
                if i > 0 { buffer.append(0x09) }
                if let value { Self.appendEscaped(value, to: &buffer) } else { buffer.append(contentsOf: [0x5C, 0x4E]) }  // \N
            }
            buffer.append(0x0A)
        }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { PQputCopyData(connection, $0, Int32(bytes.count)) }
        }
        guard sent == 1, PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(code: .copy, message: Self.text(PQerrorMessage(connection)), context: "\(endpoint.display) COPY \(table)")
        }
        // Drain results: the COPY's own status, then the end.
        var failure: PostgresError? = nil
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK && failure == nil {
                failure = PostgresError(code: .copy, message: Self.text(PQresultErrorMessage(result)),
                                        sqlState: Self.sqlState(result), context: "\(endpoint.display) COPY \(table)")
            }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    // MARK: helpers

    private func rows(of result: OpaquePointer, sql: String) throws -> PostgresRows {
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw statementError(sql, result) }
        let columnCount = Int(PQnfields(result)), rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { Self.text(PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            rows.append((0..<columnCount).map { c in
                PQgetisnull(result, Int32(r), Int32(c)) == 1 ? nil : Self.text(PQgetvalue(result, Int32(r), Int32(c)))
            })
        }
        return PostgresRows(columns: columns, rows: rows)
    }

    private func statementError(_ sql: String, _ result: OpaquePointer?) -> PostgresError {
        let message = result.map { Self.text(PQresultErrorMessage($0)) } ?? Self.text(PQerrorMessage(connection))
        let head = sql.split(whereSeparator: \.isWhitespace).prefix(3).joined(separator: " ")
        return PostgresError(code: .statement, message: message.trimmingSpaces, sqlState: result.flatMap(Self.sqlState), context: "\(endpoint.display) \(head)")
    }

    static func sqlState(_ result: OpaquePointer) -> String? {
        // PG_DIAG_SQLSTATE is 'C'.
        guard let p = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) else { return nil }
        return String(cString: p)
    }

    static func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
    static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }

    /// COPY text format: backslash, tab, newline and carriage return are escaped.
    static func appendEscaped(_ value: String, to buffer: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            default: buffer.append(byte)
            }
        }
    }

    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings.map { Optional($0) }) { pointers in
            var list = (0..<strings.count).map { pointers[$0] }
            list.append(nil)
            return list.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }

    static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let owned = strings.map { $0.map { strdup($0)! } }
        defer { for p in owned { if let p { free(p) } } }
        let pointers = owned.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
