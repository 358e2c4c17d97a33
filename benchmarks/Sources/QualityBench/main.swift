// `make bench-quality`: profiling, expectation checks, patterns and drift on 1M rows of the example schema.
QualityBench.run(arguments: CommandLine.arguments)
