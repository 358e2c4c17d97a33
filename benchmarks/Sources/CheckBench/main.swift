// `make bench-check`: replay 1M logged lookups through `strata check --logs` on the medium data set.
CheckBench.run(arguments: CommandLine.arguments)
