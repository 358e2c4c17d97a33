// `make bench-online`: materialize, push and lookup figures next to raw LMDB measured in the same run.
OnlineBench.run(arguments: CommandLine.arguments)
