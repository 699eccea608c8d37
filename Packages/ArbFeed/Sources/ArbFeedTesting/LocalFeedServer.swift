import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A venue on 127.0.0.1 for tests: websocket connections on any path (whose frames the
/// test sends, drops, pings and closes) and HTTP answers by path (REST snapshots, 429s,
/// 418s). Everything it receives is kept for the test to inspect. Thread-safe.
public final class LocalFeedServer: @unchecked Sendable {
    /// An HTTP answer.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String
        /// Answered this long after the request (a slow venue).
        public var delay: Duration
        public init(status: Int = 200, headers: [(String, String)] = [], body: String, delay: Duration = .zero) {
            self.status = status; self.headers = headers; self.body = body; self.delay = delay
        }
    }

    let group: MultiThreadedEventLoopGroup
    var channel: (any Channel)!
    let lock = NSLock()
    var sockets: [(path: String, channel: any Channel)] = []
    var _received: [(connection: Int, text: String)] = []
    var _pongs: [String] = []
    var _requests: [String] = []
    var _connectionsSeen = 0
    /// Answers by request path and query, each used once (first in, first out); then
    /// `fallback`; then 404.
    var answers: [String: [Answer]] = [:]
    var fallback: (@Sendable (String) -> Answer?)?
    /// Whether websocket upgrades are accepted (false: every upgrade is refused, as a
    /// wrong path would be).
    public var acceptsWebsockets = true
    /// A frame sent the moment a websocket opens, in the same write as nothing else (as
    /// venues that stream at once do).
    public var greeting: String?

    public var port: Int { channel.localAddress?.port ?? 0 }
    /// `ws://127.0.0.1:PORT` and `http://127.0.0.1:PORT`: what a manifest's `ws_url` and
    /// `rest_url` point at.
    public var wsBase: String { "ws://127.0.0.1:\(port)" }
    public var httpBase: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = self
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                do {
                    // The socket is the test's once the upgrade is complete (the 101 sent and
                    // the HTTP handlers gone): a frame sent earlier would be lost.
                    let upgrader = NIOTypedWebSocketServerUpgrader<String?>(
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(server.acceptsWebsockets ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, head in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(ServerSocketHandler(server: server))
                                return head.uri
                            }
                        })
                    let configuration = NIOTypedHTTPServerUpgradeConfiguration<String?>(
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(ServerHTTPHandler(server: server))
                                return nil
                            }
                        })
                    let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: .init(upgradeConfiguration: configuration))
                    negotiated.whenSuccess { path in
                        guard let path else { return }
                        _ = server.register(channel, path: path)
                        if let greeting = server.greeting {
                            Self.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: greeting)), to: channel)
                        }
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    /// Stops listening and closes every connection.
    public func shutdown() {
        try? channel.close().wait()
        for s in sockets { try? s.channel.close().wait() }
        try? group.syncShutdownGracefully()
    }

    func register(_ channel: any Channel, path: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        sockets.append((path, channel))
        _connectionsSeen += 1
        return sockets.count - 1
    }

    // MARK: what the test reads

    /// Websocket connections accepted so far (open or not).
    public var connectionsSeen: Int { lock.lock(); defer { lock.unlock() }; return _connectionsSeen }
    /// Connections open now.
    public var openConnections: Int { lock.lock(); defer { lock.unlock() }; return sockets.filter { $0.channel.isActive }.count }
    /// The paths (with queries) websocket clients asked for.
    public var socketPaths: [String] { lock.lock(); defer { lock.unlock() }; return sockets.map(\.path) }
    /// Text and binary messages clients sent (subscriptions), in order.
    public var received: [(connection: Int, text: String)] { lock.lock(); defer { lock.unlock() }; return _received }
    /// Payloads of the pongs clients sent.
    public var pongs: [String] { lock.lock(); defer { lock.unlock() }; return _pongs }
    /// HTTP request paths with queries, in order.
    public var requests: [String] { lock.lock(); defer { lock.unlock() }; return _requests }

    // MARK: what the test makes the server do

    /// Answers `path` (with its query) with `answer`, once per call, in order.
    public func answer(_ path: String, _ answer: Answer) {
        lock.lock(); defer { lock.unlock() }
        answers[path, default: []].append(answer)
    }

    /// Answers every request no queued answer covers.
    public func answerOthers(_ body: @escaping @Sendable (String) -> Answer?) {
        lock.lock(); defer { lock.unlock() }
        fallback = body
    }

    func take(_ path: String) -> Answer? {
        lock.lock(); defer { lock.unlock() }
        _requests.append(path)
        if var list = answers[path], !list.isEmpty {
            let a = list.removeFirst()
            answers[path] = list
            return a
        }
        return fallback?(path)
    }

    func latest(_ connection: Int?) -> (any Channel)? {
        lock.lock(); defer { lock.unlock() }
        if let connection { return connection < sockets.count ? sockets[connection].channel : nil }
        return sockets.last { $0.channel.isActive }?.channel
    }

    /// Sends a text (or binary) frame on `connection` (default: the newest open one).
    @discardableResult
    public func send(_ text: String, binary: Bool = false, on connection: Int? = nil) -> Bool {
        guard let ch = latest(connection), ch.isActive else { return false }
        let frame = WebSocketFrame(fin: true, opcode: binary ? .binary : .text, data: ByteBuffer(string: text))
        Self.write(frame, to: ch)
        return true
    }

    /// Writes `frame`, trying again for a while if the pipeline is still finishing the
    /// upgrade (the HTTP encoder refuses websocket frames until it is gone).
    static func write(_ frame: WebSocketFrame, to channel: any Channel, attempts: Int = 200) {
        channel.writeAndFlush(frame).whenFailure { _ in
            guard attempts > 0, channel.isActive else { return }
            channel.eventLoop.scheduleTask(in: .milliseconds(5)) { write(frame, to: channel, attempts: attempts - 1) }
        }
    }

    /// Sends many frames in one flush (load tests).
    public func sendAll(_ frames: [[UInt8]], binary: Bool = false, on connection: Int? = nil) {
        guard let ch = latest(connection), ch.isActive else { return }
        ch.eventLoop.execute {
            for f in frames { ch.write(WebSocketFrame(fin: true, opcode: binary ? .binary : .text, data: ByteBuffer(bytes: f)), promise: nil) }
            ch.flush()
        }
    }

    /// A ping frame with `payload`.
    public func ping(_ payload: String, on connection: Int? = nil) {
        guard let ch = latest(connection) else { return }
        Self.write(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: payload)), to: ch)
    }

    /// Drops the connection without a close frame (a network failure).
    public func drop(_ connection: Int? = nil) {
        guard let ch = latest(connection) else { return }
        ch.close(promise: nil)
    }

    func index(of handler: ServerSocketHandler) -> Int {
        lock.lock(); defer { lock.unlock() }
        return sockets.firstIndex { $0.channel === handler.channel } ?? -1
    }

    func receivedText(_ connection: Int, _ text: String) { lock.lock(); _received.append((connection, text)); lock.unlock() }
    func receivedPong(_ text: String) { lock.lock(); _pongs.append(text); lock.unlock() }
}

/// Waits until `condition` holds or `timeout` passes (polling every 2 ms); whether it held.
public func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

final class ServerSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    let server: LocalFeedServer
    init(server: LocalFeedServer) { self.server = server }
    var index: Int { server.index(of: self) }
    var channel: (any Channel)?
    func handlerAdded(context: ChannelHandlerContext) { channel = context.channel }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            server.receivedText(index, String(buffer: frame.unmaskedData))
        case .pong:
            server.receivedPong(String(buffer: frame.unmaskedData))
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }
}

final class ServerHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let server: LocalFeedServer
    var path = ""
    init(server: LocalFeedServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.uri
        case .body: break
        case .end:
            let answer = server.take(path) ?? LocalFeedServer.Answer(status: 404, body: "{\"code\":-1,\"msg\":\"no answer for \(path)\"}")
            if answer.delay > .zero {
                context.eventLoop.scheduleTask(in: .nanoseconds(Int64(answer.delay.components.seconds) * 1_000_000_000 + answer.delay.components.attoseconds / 1_000_000_000)) {
                    self.respond(context, answer)
                }
            } else {
                respond(context, answer)
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, _ answer: LocalFeedServer.Answer) {
            var headers = HTTPHeaders(answer.headers)
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers))),
                          promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
