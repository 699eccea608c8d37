import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// `[metrics] listen`: a run's Prometheus metrics over HTTP (`GET /metrics`, the text
/// exposition format). The run's metrics go to its own registry through `factory` (no
/// process-wide bootstrap, so several runs in one process never clash). One thread;
/// scrapes never touch the kernel or the feeds: the registry is what they last published.
public final class MetricsEndpoint: @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    public var factory: any MetricsFactory { PrometheusMetricsFactory(registry: registry) }
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel: any Channel
    /// The port it listens on (the one asked for, or the one taken for port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Listens on `listen` (`host:port`, already validated by the manifest).
    public init(listen: String, logger: Logger) throws {
        guard let (host, port) = MetricsSection.parse(listen) else { throw MetricsEndpointError(message: "metrics.listen: '\(listen)' is not host:port") }
        let registry = self.registry
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw MetricsEndpointError(message: "metrics.listen: cannot listen on \(listen): \(error); choose a free port (or 0 for any)")
        }
        logger.info("serving Prometheus metrics", metadata: ["metrics.url": "http://\(host):\(self.port)/metrics"])
    }

    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// The endpoint could not start.
public struct MetricsEndpointError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// `GET /metrics` answers the registry's text; anything else is 404.
final class MetricsHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let registry: PrometheusCollectorRegistry
    var head: HTTPRequestHead?
    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let h = head else { return }
            head = nil
            var body: [UInt8] = []
            let found = h.method == .GET && (h.uri == "/metrics" || h.uri.hasPrefix("/metrics?"))
            if found { registry.emit(into: &body) } else { body = Array("not found; metrics are at /metrics\n".utf8) }
            var headers = HTTPHeaders([("Content-Type", found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain"),
                                       ("Content-Length", "\(body.count)")])
            if !h.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            let keepAlive = h.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keepAlive { context.close(promise: nil) } }
        }
    }
}
