import ArbRecorder
import FuzzSupport

// The Tardis CSV importer (header, line splitting, numbers, timestamps, ids), in both modes.
runFuzzer { data, size in
    let input = scratchFile(bytes(data, size), suffix: ".csv")
    _ = try? TardisImport.run(inputs: [input], output: input + ".arbrec")
    _ = try? TardisImport.run(inputs: [input], output: input + ".skip.arbrec", skipBadRows: true)
    return 0
}
