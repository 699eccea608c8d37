import Foundation

/// A throwaway `redis-server` child on 127.0.0.1, with no persistence: for tests that
/// must kill and restart Redis, or need a server in cluster mode. The binary is
/// `$ARBOR_REDIS_SERVER` (set by tools/with-services) or `redis-server` on the PATH.
public final class RedisServerProcess {
    public let port: Int
    public let clusterEnabled: Bool
    private let folder: URL
    private var process: Process?

    /// The redis-server binary, if there is one.
    public static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["ARBOR_REDIS_SERVER"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(dir)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Starts a server on a free port and waits until it answers.
    public init(clusterEnabled: Bool = false) throws {
        guard Self.binary != nil else {
            throw RedisError(code: .connectionFailed, message: "redis-server not found; run tools/setup or set ARBOR_REDIS_SERVER", context: "RedisServerProcess")
        }
        port = try Self.freePort()
        self.clusterEnabled = clusterEnabled
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Starts (or restarts, empty) the server on the same port.
    public func start() throws {
        guard process == nil, let binary = Self.binary else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
                         "--dir", folder.path, "--logfile", folder.appendingPathComponent("redis.log").path]
        if clusterEnabled {
            // A fresh node file each time: the restarted node forgets its slots, as a real one without persistence would.
            let nodes = "nodes-\(UUID().uuidString.prefix(8)).conf"
            // The bus port would default to port + 10000, past 65535 for a high free port.
            arguments += ["--cluster-enabled", "yes", "--cluster-config-file", nodes, "--cluster-port", String(try Self.freePort())]
        }
        p.arguments = arguments
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let c = try? RedisConnection(host: "127.0.0.1", port: port, timeoutMilliseconds: 200),
               (try? c.command(["PING"])) == .status("PONG") {
                if clusterEnabled { try claimAllSlots(c) }
                return
            }
            usleep(20_000)
        }
        throw RedisError(code: .connectionFailed, message: "redis-server did not answer within 10 s", context: "127.0.0.1:\(port)")
    }

    /// A single-node cluster serves every slot: scripts must still keep their keys in one.
    private func claimAllSlots(_ c: RedisConnection) throws {
        let reply = try c.command(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"])
        if case .error(let message) = reply { throw RedisError(code: .server, message: message, context: "CLUSTER ADDSLOTSRANGE") }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if case .string(let info) = try c.command(["CLUSTER", "INFO"]), info.contains("cluster_state:ok") { return }
            usleep(20_000)
        }
        throw RedisError(code: .server, message: "the cluster did not reach cluster_state:ok", context: "127.0.0.1:\(port)")
    }

    /// Kills the server at once (SIGKILL): no goodbye to its clients, its data lost.
    public func kill() {
        guard let p = process else { return }
        if p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        process = nil
    }

    /// A port nobody listens on now (the kernel picks it).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisError(code: .io, message: "socket() failed", context: "freePort") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RedisError(code: .io, message: "bind() failed", context: "freePort") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
