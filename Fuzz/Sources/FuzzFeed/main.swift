import ArbCore
import ArbFeed
import Binance
import FuzzSupport
import Upbit

// The venues' feed parsers and the Binance book sync, driven by any bytes: each line is
// one step, its first byte choosing what happens (0 a websocket frame, 1 a REST snapshot
// answer, 2 a dropped and restored connection, 3 a resync) and the rest the payload.
// Never a trap; the events out keep receive times in order and book levels positive.
runFuzzer { data, size in
    let binance = BinanceFeed(instruments: [(InstrumentId(0), "BNBBTC"), (InstrumentId(1), "BTCUSDT")])
    let upbit = UpbitFeed(instruments: [(InstrumentId(0), "KRW-BTC"), (InstrumentId(1), "KRW-USDT")])
    var output = FeedOutput()
    var clock: Int64 = 1_000
    var lastReceived: Int64 = 0
    binance.connected(0, at: Timestamp(nanoseconds: clock), output: &output)
    upbit.connected(0, at: Timestamp(nanoseconds: clock), output: &output)
    for line in bytes(data, size).split(separator: 0x0A, omittingEmptySubsequences: true) {
        let action = line[line.startIndex] % 4
        let payload = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: line.dropFirst()))
        clock += 1_000
        let now = Timestamp(nanoseconds: clock)
        for feed in [binance, upbit] as [any VenueFeed] {
            output.startMessage()
            switch action {
            case 0: feed.receive(payload, connection: 0, receivedAt: now, output: &output)
            case 1: feed.receiveSnapshot(payload, for: InstrumentId(Int(line.count % 2)), receivedAt: now, output: &output)
            case 2: feed.disconnected(0, at: now, output: &output); feed.connected(0, at: now, output: &output)
            default: feed.resync(InstrumentId(0), at: now, output: &output)
            }
            _ = output.takeProblem()
            for event in output.events {
                precondition(event.receivedAt.nanoseconds >= lastReceived, "receive times go back")
                lastReceived = event.receivedAt.nanoseconds
                switch event {
                case .bookDelta(let d): precondition(d.price.raw > 0 && d.quantity.raw >= 0, "a level with a bad price or size")
                case .bookSnapshot(let s):
                    precondition((s.bids + s.asks).allSatisfy { $0.price.raw > 0 && $0.quantity.raw >= 0 }, "a snapshot level with a bad price or size")
                case .trade(let t): precondition(t.price.raw > 0 && t.quantity.raw > 0, "a trade with a bad price or size")
                case .status: break
                }
                precondition(event.receivedAt.nanoseconds <= clock, "an event from the future")
            }
        }
    }
    return 0
}
