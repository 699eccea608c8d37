import ArbCore
import Foundation
import Testing
@testable import ArbRecorder

/// Raw blocks built by hand: valid framing, hostile contents.
struct RawBlock {
    var streams = Array(repeating: [UInt8](), count: BlockCodec.streamCount)
    var localUnit: Int64 = 1_000
    var exchangeUnit: Int64 = 1_000

    mutating func varint(_ s: BlockCodec.Stream, _ v: UInt64) { Varint.write(v, to: &streams[s.rawValue]) }
    mutating func signed(_ s: BlockCodec.Stream, _ v: Int64) { Varint.write(signed: v, to: &streams[s.rawValue]) }
    mutating func byte(_ s: BlockCodec.Stream, _ b: UInt8) { streams[s.rawValue].append(b) }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        LittleEndian.append(UInt32(BlockCodec.streamCount), to: &out)
        LittleEndian.append(localUnit, to: &out)
        LittleEndian.append(exchangeUnit, to: &out)
        for s in streams { LittleEndian.append(UInt32(s.count), to: &out) }
        for s in streams { out += s }
        return out
    }

    /// One book delta on instrument `instrument` with a price delta and a quantity.
    static func delta(instrument: UInt64 = 0, priceDelta: Int64 = 1, quantity: UInt64 = 1, kind: UInt8 = 0x08) -> RawBlock {
        var b = RawBlock()
        b.byte(.kinds, kind)
        b.varint(.instruments, instrument)
        b.signed(.localTime, 1)
        b.signed(.exchangeOffset, 1)
        b.signed(.sequence, 0)
        b.signed(.prices, priceDelta)
        b.varint(.quantities, quantity)
        return b
    }
}

@Suite("Hostile recordings")
struct HostileRecordingTests {
    func decode(_ block: RawBlock, count: Int = 1) -> (events: [MarketEvent], error: RecordingError?) {
        var codec = BlockCodec(priceUnits: testInstruments.map(\.priceUnit), quantityUnits: testInstruments.map(\.quantityUnit))
        var out: [MarketEvent] = []
        do { try codec.decode(block.bytes, count: count, into: &out); return (out, nil) } catch let e as RecordingError { return (out, e) } catch {
            return (out, RecordingError(.corrupt, "\(error)"))
        }
    }

    @Test("a well-formed hand-made block decodes (the crafting is right)")
    func control() {
        let result = decode(.delta())
        #expect(result.error == nil && result.events.count == 1)
    }

    @Test("crafted blocks with valid framing are errors, never traps or silent wraps", arguments: 0..<6)
    func crafted(index: Int) {
        var block: RawBlock
        var count = 1
        switch index {
        case 0: block = .delta(instrument: 1 << 63)                       // instrument varint 2^63
        case 1: block = .delta(priceDelta: 1 << 60)                       // × price unit 10^7 overflows
        case 2: block = .delta(quantity: UInt64(Int64.max))               // × quantity unit overflows
        case 3: block = .delta(kind: 0x48)                                // unknown kind bits
        case 4:
            block = .delta(kind: 0x02)                                    // a snapshot claiming 2^63 bids
            block.varint(.extra, 1 << 63); block.varint(.extra, 0)
        default:
            block = .delta(kind: 0x02)                                    // two counts of 2^62 that overflow when added
            block.varint(.extra, 1 << 62); block.varint(.extra, 1 << 62)
            count = 1
        }
        let result = decode(block, count: count)
        #expect(result.error != nil, "decoded: \(result.events)")
    }

    @Test("a huge time unit times a time is an error, not a wrap")
    func timeOverflow() {
        var block = RawBlock.delta()
        block.localUnit = Int64.max / 2
        block.streams[BlockCodec.Stream.localTime.rawValue] = []
        block.signed(.localTime, 1 << 20)
        #expect(decode(block).error != nil)
    }

    /// A small valid recording, its bytes, and where its footer starts.
    func recording(events: Int = 3_000, blockEvents: Int = 1_000) throws -> (String, [UInt8]) {
        let path = tempPath("hostile")
        let w = try RecordingFileWriter(path: path, header: RecordingHeader(source: "test", instruments: testInstruments, startTimeNs: 0,
                                                                          compressionLevel: 3), blockEvents: blockEvents)
        for e in randomEvents(events, seed: 3) { try w.append(e) }
        try w.close()
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func write(_ bytes: [UInt8]) throws -> String {
        let path = tempPath("mutated")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("every single-bit flip in the footer leaves a readable file: the index is dropped and the blocks scanned")
    func footerBitFlips() throws {
        let (_, bytes) = try recording()
        for byte in (bytes.count - FileLayout.footerSize)..<bytes.count {
            for bit in 0..<8 {
                var copy = bytes
                copy[byte] ^= UInt8(1 << bit)
                let reader = try RecordingFileReader(path: try write(copy))
                #expect(reader.eventCount == 3_000, "byte \(byte) bit \(bit)")
            }
        }
    }

    @Test("a header claiming more bytes than the file is refused before any allocation")
    func headerLength() throws {
        let (_, bytes) = try recording()
        var copy = bytes
        copy[8] = 0xF0; copy[9] = 0xFF; copy[10] = 0xFF; copy[11] = 0xFF
        #expect(throws: RecordingError.self) { _ = try RecordingFileReader(path: try write(copy)) }
        do { _ = try RecordingFileReader(path: try write(copy)) } catch let e as RecordingError {
            #expect(e.description.contains("the header claims"), "\(e)")
        }
    }

    @Test("header fields outside their ranges are errors", arguments: ["\"price_unit\":10000000", "\"format_version\":1", "\"price_unit\":10000000"])
    func headerRanges(field: String) throws {
        let (_, bytes) = try recording()
        let length = Int(LittleEndian.read(UInt32.self, bytes[...], at: 8)!)
        var json = String(decoding: bytes[12..<(12 + length)], as: UTF8.self)
        let replacement = field.hasPrefix("\"format") ? "\"format_version\":-5" : (field == "\"price_unit\":10000000" ? "\"price_unit\":0" : field)
        guard json.contains(field) else { Issue.record("fixture lacks \(field): \(json)"); return }
        json = json.replacingOccurrences(of: field, with: replacement)
        var header: [UInt8] = Array(json.utf8)
        var rebuilt = Array(bytes[0..<8])
        LittleEndian.append(UInt32(header.count), to: &rebuilt)
        rebuilt += header
        LittleEndian.append(FileLayout.crc(header[...]), to: &rebuilt)
        header = []
        rebuilt += bytes[(12 + length + 4)...]
        do {
            _ = try RecordingFileReader(path: try write(rebuilt))
            Issue.record("accepted \(replacement)")
        } catch let e as RecordingError {
            #expect(e.description.contains("the header is not valid"), "\(e)")
        }
    }

    @Test("a block header claiming a 4 GiB raw size is treated as damage, not allocated")
    func hugeRawSize() throws {
        let (_, bytes) = try recording()
        let length = Int(LittleEndian.read(UInt32.self, bytes[...], at: 8)!)
        let first = 12 + length + 4
        var copy = bytes
        copy.replaceSubrange((first + 8)..<(first + 12), with: [0xFF, 0xFF, 0xFF, 0xFF])
        var crc: [UInt8] = []
        LittleEndian.append(FileLayout.crc(copy[first..<(first + 36)]), to: &crc)
        copy.replaceSubrange((first + 36)..<(first + 40), with: crc)
        #expect(RecordingFileReader.parseBlockHeader(Array(copy[first..<(first + 40)]), at: first) == nil)
        let reader = try RecordingFileReader(path: try write(copy))
        var out: [MarketEvent] = []
        #expect(throws: RecordingError.self) { try reader.readBlock(0, into: &out) }
        #expect(out.isEmpty)
    }

    @Test("fuzz: random byte damage anywhere never traps a reader; a failing block delivers nothing")
    func fuzz() throws {
        let (_, bytes) = try recording(events: 2_000, blockEvents: 200)
        var rng = SplitMix64(seed: 11)
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0..<(1 + rng.below(4)) {
                copy[Int(rng.below(UInt64(copy.count)))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.below(4) == 0 { copy.removeLast(Int(rng.below(UInt64(copy.count / 2)))) }
            guard let reader = try? RecordingFileReader(path: try write(copy)) else { continue }
            for i in reader.blocks.indices {
                var out: [MarketEvent] = []
                do { try reader.readBlock(i, into: &out) } catch { #expect(out.isEmpty) }
            }
        }
    }
}

@Suite("A damaged block loses only itself")
struct DamagedBlockTests {
    /// 10 blocks of 100 events; block 3's payload damaged (its checksum then fails).
    func damaged(withFooter: Bool) throws -> (path: String, events: [MarketEvent], index: [BlockInfo]) {
        let events = randomEvents(1_000, seed: 21)
        let path = tempPath("damaged")
        let w = try RecordingFileWriter(path: path, header: RecordingHeader(source: "test", instruments: testInstruments, startTimeNs: 0,
                                                                          compressionLevel: 3), blockEvents: 100)
        for e in events { try w.append(e) }
        try w.close()
        let index = try RecordingFileReader(path: path).blocks
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[index[3].offset + FileLayout.blockHeaderSize + 5] ^= 0xFF
        if !withFooter { bytes.removeLast(8 + index.count * FileLayout.indexEntrySize + FileLayout.footerSize) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, events, index)
    }

    @Test("readers skip the damaged block and deliver every other one, with and without the index", arguments: [true, false])
    func readersSkip(withFooter: Bool) throws {
        let (path, events, _) = try damaged(withFooter: withFooter)
        let reader = try RecordingFileReader(path: path)
        #expect(reader.blocks.count == (withFooter ? 10 : 9), "without the index the scan resumes after the damage")
        if !withFooter { #expect(reader.recovery?.damagedRegions == 1) }
        #expect(reader.damagedBlocks() == (withFooter ? [3] : []))
        var delivered: [MarketEvent] = []
        for i in reader.blocks.indices { try? reader.readBlock(i, into: &delivered) }
        #expect(delivered == Array(events[0..<300]) + Array(events[400...]))
    }

    @Test("replay goes on past the damaged block with a gap marker on each instrument, and reports the loss")
    func replayInsertsGap() throws {
        let (path, events, index) = try damaged(withFooter: true)
        var universe = Universe()
        for entry in testInstruments {
            let v = universe.addVenue(entry.venue)
            _ = universe.addInstrument(InstrumentSpec(symbol: entry.symbol, baseCode: entry.base, quoteCode: entry.quote,
                                                      tickRule: .fixed(Price(raw: entry.priceUnit)), lotStep: Quantity(raw: entry.quantityUnit),
                                                      minQuantity: Quantity(raw: 1), maxQuantity: Quantity(raw: .max), minNotional: .zero,
                                                      maxNotional: nil, priceDecimals: 9, quantityDecimals: 9), on: v)
        }
        var source = try RecordingSource(paths: [path], universe: universe)
        var out: [MarketEvent] = []
        while let e = source.next() { out.append(e) }
        let gaps = out.filter { if case .status(let s) = $0 { return s.kind == .gap && s.count == 100 }; return false }
        #expect(gaps.count == testInstruments.count)
        #expect(out.count == 900 + testInstruments.count)
        #expect(source.damagedBlocks == 1 && source.lostEvents == 100 && source.problems.count == 1)
        if case .status(let s) = gaps[0] { #expect(s.receivedAt.nanoseconds >= events[299].receivedAt.nanoseconds) }
        _ = index
    }

    @Test("repair writes a copy with every intact block and keeps the original; in place replaces it", arguments: [true, false])
    func repairKeepsIntactBlocks(withFooter: Bool) throws {
        let (path, events, _) = try damaged(withFooter: withFooter)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let report = try RecordingRepair.repair(path: path)
        #expect(!report.wasIntact && report.blocks == 9 && report.events == 900)
        #expect(report.damagedBlocks == (withFooter ? 1 : 0) && report.lostEvents == (withFooter ? 100 : 0))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original, "the original is kept")
        let repaired = try RecordingFileReader(path: try #require(report.output))
        #expect(repaired.recovery == nil && repaired.damagedBlocks().isEmpty)
        #expect(try repaired.readAll() == Array(events[0..<300]) + Array(events[400...]))
        #expect(try RecordingRepair.repair(path: report.output!).wasIntact)
        let inPlace = try RecordingRepair.repair(path: path, inPlace: true)
        let reread = try RecordingFileReader(path: path)
        #expect(inPlace.output == path && reread.recovery == nil)
    }
}

@Suite("Hostile index")
struct HostileIndexTests {
    @Test("an index entry whose offset is near Int.max (with a valid checksum) is refused, not added to: the blocks are scanned")
    func hugeIndexOffset() throws {
        let path = tempPath("index")
        let w = try RecordingFileWriter(path: path, header: RecordingHeader(source: "test", instruments: testInstruments, startTimeNs: 0,
                                                                          compressionLevel: 3), blockEvents: 100)
        for e in randomEvents(300, seed: 8) { try w.append(e) }
        try w.close()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let footer = bytes.count - FileLayout.footerSize
        let indexStart = Int(LittleEndian.read(UInt64.self, bytes[...], at: footer)!)
        let count = Int(LittleEndian.read(UInt32.self, bytes[...], at: footer + 8)!)
        var huge: [UInt8] = []
        LittleEndian.append(UInt64(Int64.max - 8), to: &huge)
        bytes.replaceSubrange((indexStart + 8)..<(indexStart + 16), with: huge)
        var crc: [UInt8] = []
        LittleEndian.append(FileLayout.crc(bytes[indexStart..<(indexStart + 8 + count * FileLayout.indexEntrySize)]), to: &crc)
        bytes.replaceSubrange((footer + 12)..<(footer + 16), with: crc)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try RecordingFileReader(path: path)
        #expect(reader.recovery != nil && reader.eventCount == 300)
    }
}
