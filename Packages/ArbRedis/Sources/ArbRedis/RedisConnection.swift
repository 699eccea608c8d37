import CHiredis

/// A Redis reply, converted out of hiredis' structures.
public enum RedisReply: Sendable, Equatable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
    case error(String)

    public var string: String? {
        switch self {
        case .string(let s), .status(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }
    public var integer: Int64? {
        switch self {
        case .integer(let i): return i
        case .string(let s): return Int64(s)
        default: return nil
        }
    }
}

/// One synchronous connection to Redis. Not thread-safe: owned by one thread (the
/// storage writer's), never the kernel's. Commands are binary-safe argv arrays.
public final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    public let endpoint: String

    /// Connects (with a timeout) and authenticates if `password` is given.
    public init(host: String, port: Int, timeoutMilliseconds: Int = 2_000, password: String? = nil, database: Int = 0) throws {
        endpoint = "\(host):\(port)"
        guard (1...65_535).contains(port), (1...3_600_000).contains(timeoutMilliseconds) else {
            throw RedisError(code: .connectionFailed, message: "port must be 1-65535 and the timeout 1 ms to 1 h (got port \(port), timeout \(timeoutMilliseconds) ms)",
                             context: endpoint)
        }
        let timeout = timeval(tv_sec: timeoutMilliseconds / 1_000, tv_usec: (timeoutMilliseconds % 1_000) * 1_000)
        guard let context = redisConnectWithTimeout(host, Int32(port), timeout) else {
            throw RedisError(code: .connectionFailed, message: "could not allocate a connection", context: endpoint)
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: message, context: endpoint)
        }
        redisSetTimeout(context, timeout)
        self.context = context
        if let password {
            _ = try expectOK(command(["AUTH", password]), "AUTH")
        }
        if database != 0 {
            _ = try expectOK(command(["SELECT", String(database)]), "SELECT")
        }
    }

    deinit { redisFree(context) }

    /// Sends one command and waits for its reply. An error reply is returned as
    /// `.error`, not thrown; I/O failures throw.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisReply {
        try append(arguments)
        return try readReply(name: arguments.first ?? "")
    }

    /// Queues a command without waiting (pipelining); read its reply with `readReply`.
    public func append(_ arguments: [String]) throws {
        let status = withArgv(arguments) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths)
        }
        guard status == REDIS_OK else {
            throw RedisError(code: .io, message: Self.errorText(context), context: "\(endpoint) \(arguments.first ?? "")")
        }
    }

    /// Reads the next pending reply.
    public func readReply(name: String = "") throws -> RedisReply {
        var raw: UnsafeMutableRawPointer? = nil
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw RedisError(code: .io, message: Self.errorText(context), context: "\(endpoint) \(name)")
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.convert(reply)
    }

    /// Sends all commands in one round trip and returns their replies in order.
    public func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        for c in commands { try append(c) }
        return try commands.map { try readReply(name: $0.first ?? "") }
    }

    func expectOK(_ reply: RedisReply, _ name: String) throws -> RedisReply {
        if case .error(let message) = reply { throw RedisError(code: .server, message: message, context: "\(endpoint) \(name)") }
        return reply
    }

    static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(bytes(r.str, r.len))
        case REDIS_REPLY_ERROR:
            return .error(bytes(r.str, r.len))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(r.elements))
            for i in 0..<Int(r.elements) {
                if let element = r.element[i] { items.append(convert(element)) }
            }
            return .array(items)
        default:
            return .null
        }
    }

    static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) {
            $0.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }

    /// Copies the arguments into one owned buffer (binary-safe: lengths, not NULs).
    private func withArgv<R>(_ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        let lengths = arguments.map { $0.utf8.count }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, lengths.reduce(0, +)))
        defer { storage.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(arguments.count)
        var offset = 0
        for argument in arguments {
            let start = storage + offset
            for byte in argument.utf8 { storage[offset] = CChar(bitPattern: byte); offset += 1 }
            pointers.append(UnsafePointer(start))
        }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { lens in body(Int32(arguments.count), argv.baseAddress!, lens.baseAddress!) }
        }
    }
}
