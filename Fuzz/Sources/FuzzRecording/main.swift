import ArbCore
import ArbRecorder
import FuzzSupport

// The recording reader: header, index, footer, block scan and every block's decoding.
runFuzzer { data, size in
    let path = scratchFile(bytes(data, size), suffix: ".arbrec")
    if let reader = try? RecordingFileReader(path: path) {
        var out: [MarketEvent] = []
        for i in reader.blocks.indices { try? reader.readBlock(i, into: &out) }
        _ = reader.damagedBlocks()
    }
    return 0
}
