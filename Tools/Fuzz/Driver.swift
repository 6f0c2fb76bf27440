// libFuzzer driver shared by the harnesses of Tools/fuzz.sh (`--libfuzzer NAME`); fuzz.sh replaces
// HARNESS with the executable's module name. SwiftPM links an executable's `main` as `<module>_main`
// (so that tests can link it), and libFuzzer brings its own `main`: this hands control to libFuzzer's
// driver with `fuzzOne` (each harness's file) as the entry point.

import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ cb: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// libFuzzer's entry point (its archive's own `main` refers to it; `harnessMain` passes it to the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzOne(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_cdecl("HARNESS_main")
func harnessMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    setUp()
    return LLVMFuzzerRunDriver(&c, &v) { data, size in testOneInput(data, size) }
}

/// A new folder `NAME-PID` under the temporary folder (emptied when it was there), for the harness's files.
func scratchFolder(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
