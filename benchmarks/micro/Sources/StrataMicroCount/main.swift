import Foundation
import StrataMicroWorkloads

// `StrataMicroCount WORKLOAD ITERATIONS [PROJECT]`: runs one workload of StrataMicroWorkloads for callgrind, which the
// benchmark target starts under `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=*callgrindMeasuredLoop*`
// (Benchmarks/StrataMicro/Callgrind.swift): prepares it (opening the benchmark's own project folder when given), warms
// it up, then runs ITERATIONS iterations inside `callgrindMeasuredLoop`, the only code callgrind counts.
//
// A program of its own with a synchronous main: valgrind 3.19 (Debian 12) crashes on an async main (the benchmark
// executable's, which ends the main thread in dispatch_main).

/// Never inlined, so the symbol `--toggle-collect` matches exists and every measured iteration runs inside it.
@inline(never)
func callgrindMeasuredLoop(_ iterations: Int, _ state: any WorkloadState) -> Int {
    var checksum = 0
    for _ in 0..<iterations { checksum &+= state.run() }
    return checksum
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let workload = workloads.first(where: { $0.name == arguments[1] }), let iterations = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: StrataMicroCount WORKLOAD ITERATIONS [PROJECT]; workloads: \(workloads.map(\.name))\n".utf8))
    exit(64)
}
do {
    // Without PROJECT, a workload that needs the store makes its own (for runs by hand; slow under valgrind).
    let fixture = try arguments.count > 3 ? ProjectFixture.open(arguments[3]) : workload.needsStore ? ProjectFixture.make() : nil
    let state = try workload.prepare(fixture)
    var checksum = 0
    for _ in 0..<3 { checksum &+= state.run() }  // warm-up: lazy metadata, caches, first-use paths
    checksum &+= callgrindMeasuredLoop(iterations, state)
    print("\(workload.name): \(iterations) iterations, checksum \(checksum)")
} catch {
    FileHandle.standardError.write(Data("StrataMicroCount \(workload.name): \(error)\n".utf8))
    exit(1)
}
