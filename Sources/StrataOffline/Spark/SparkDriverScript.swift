/// The Python program that drives Spark, carried by the binary and written next to each job (`SparkRunner.run`):
/// nothing of Strata is installed into the user's Python. It executes what the binary compiled and decides nothing about
/// semantics; see docs/scale-out.md for who runs what where.
enum SparkDriverScript {
    static let text = #"""
# Strata's Spark driver: written by the strata binary next to each job and run with the project's Python
# (offline.spark.python). It executes what the binary compiled (Spark SQL with named parameters, table paths) and
# writes Parquet for the binary to read; it decides nothing about semantics. Protocol: argv[1] is the job (JSON);
# progress lines go to stdout as `strata-progress <text>`; a failure exits non-zero with `strata-error <text>` last.
import json
import os
import struct
import sys
import time


def say(kind, text):
    sys.stdout.write("strata-%s %s\n" % (kind, text.replace("\n", " ")))
    sys.stdout.flush()


def value(encoded):
    """A literal from the job: ["i", "123"], ["f", "<IEEE bits>"], ["s", "text"], ["b", true] or null."""
    if encoded is None:
        return None
    kind, raw = encoded
    if kind == "i":
        return int(raw)
    if kind == "f":
        return struct.unpack("<d", struct.pack("<Q", int(raw)))[0]
    if kind == "s":
        return raw
    if kind == "b":
        return bool(raw)
    raise ValueError("unknown literal kind %r" % kind)


def encode(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return ["b", v]
    if isinstance(v, int):
        return ["i", str(v)]
    if isinstance(v, float):
        return ["f", str(struct.unpack("<Q", struct.pack("<d", v))[0])]
    return ["s", str(v)]


def session(job):
    from pyspark.sql import SparkSession
    builder = SparkSession.builder.appName(job.get("app", "strata")).master(job["master"])
    conf = dict(job.get("conf") or {})
    if job["master"].startswith("local"):
        conf.setdefault("spark.sql.shuffle.partitions", "8")
    conf.setdefault("spark.ui.enabled", "false")
    for key, val in conf.items():
        builder = builder.config(key, val)
    # The compiled SQL spells out overflow, division by zero and the non-finite rule, and relies on non-ANSI casts
    # (saturating double -> long): these two are not the user's to change.
    builder = builder.config("spark.sql.ansi.enabled", "false")
    builder = builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    register_functions(spark)
    return spark


def c_exp(x):
    """exp from the C library (Python's math calls libm), which Swift and SQLite call too: Java's differs in the last
    bit on some inputs. Overflow is infinity here (the compiled SQL turns it into null)."""
    import math
    if x is None:
        return None
    try:
        return math.exp(x)
    except OverflowError:
        return float("inf")


def c_ln(x):
    import math
    if x is None or x <= 0:
        return None
    return math.log(x)


def register_functions(spark):
    from pyspark.sql.types import DoubleType
    spark.udf.register("strata_exp", c_exp, DoubleType())
    spark.udf.register("strata_ln", c_ln, DoubleType())


def args_of(pairs):
    return {name: value(v) for name, v in pairs}


def source_frame(spark, view):
    from pyspark.sql.types import StructType, StructField, LongType, DoubleType, StringType, BooleanType
    types = {"BIGINT": LongType(), "DOUBLE": DoubleType(), "STRING": StringType(), "BOOLEAN": BooleanType()}
    schema = StructType([StructField(c["name"], types[c["type"]], True) for c in view["source_columns"]]
                        + [StructField("event_day", StringType(), True)])
    path = view["source"]
    if view.get("has_rows"):
        return spark.read.schema(schema).parquet(path)
    return spark.createDataFrame([], schema)


def join_view(spark, view, index, total):
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window
    say("progress", "view %d/%d %s: point-in-time join" % (index + 1, total, view["name"]))
    started = time.time()
    source_frame(spark, view).createOrReplaceTempView("strata_source")
    features = spark.sql(view["features_sql"], args=args_of(view["args"]))
    keys = ["k%d" % i for i in range(view["key_count"])]
    values = ["v%d" % i for i in range(view["feature_count"])]
    best = F.struct(*[F.col(c) for c in ["e", "c", "s", "l"] + values]).alias("best")
    candidates = features.select(*keys, F.col("at"), F.lit(0).alias("kind"), best)
    spine = spark.read.parquet(view["spine"])
    requests = spine.select(*keys, F.col("t").alias("at"), F.lit(1).alias("kind"), F.col("r"), F.col("t"))
    unioned = candidates.unionByName(requests, allowMissingColumns=True)
    # Candidates sort before requests at the same instant: a row eligible at exactly t is visible (SPEC, inclusive).
    # The best candidate so far is the largest (event_ts, created_ts, ingest_seq) struct; the rest ride along.
    window = Window.partitionBy(*keys).orderBy("at", "kind").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    answered = unioned.withColumn("win", F.max("best").over(window)).where(F.col("kind") == 1)
    if view.get("ttl") is not None:
        ttl = int(view["ttl"])
        floor = int(view["ttl_floor"])
        expired = (F.col("t") >= F.lit(floor)) & (F.col("win.e") < F.col("t") - F.lit(ttl))
    else:
        expired = F.lit(False)
    status = F.when(F.col("win").isNull(), F.lit(1)).when(expired, F.lit(2)).otherwise(F.lit(0))
    answered = answered.withColumn("status", status)
    present = F.col("status") == 0
    columns = [F.col("r"), F.col("status").cast("int").alias("status")]
    for name in ["e", "c", "l"] + values:
        columns.append(F.when(present, F.col("win." + name)).alias(name))
    # No global sort: the binary places each answer by its spine row `r`, so part order does not matter.
    answered.select(*columns).write.mode("overwrite").parquet(view["out"])
    say("progress", "view %d/%d %s: done in %.1f s" % (index + 1, total, view["name"], time.time() - started))


def evaluate(spark, job):
    """Evaluates lowered expressions on rows (the property test of the Spark SQL lowering)."""
    from pyspark.sql.types import StructType, StructField, LongType, DoubleType, StringType, BooleanType
    types = {"BIGINT": LongType(), "DOUBLE": DoubleType(), "STRING": StringType(), "BOOLEAN": BooleanType()}
    schema = StructType([StructField("id", LongType(), False)]
                        + [StructField(c["name"], types[c["type"]], True) for c in job["columns"]])
    results = []
    for batch in job["batches"]:
        rows = [tuple([case["id"]] + [value(v) for v in case["row"]]) for case in batch["cases"]]
        spark.createDataFrame(rows, schema).createOrReplaceTempView("strata_rows")
        select = ", ".join("%s AS e%d" % (case["sql"], i) for i, case in enumerate(batch["cases"]))
        frame = spark.sql("SELECT id, %s FROM %s ORDER BY id" % (select, batch["relation"]), args=args_of(batch["args"]))
        for i, row in enumerate(frame.collect()):
            results.append({"id": row["id"], "value": encode(row["e%d" % i])})
    with open(job["out"], "w") as out:
        json.dump(results, out)


def main():
    with open(sys.argv[1]) as handle:
        job = json.load(handle)
    say("progress", "starting Spark (%s)" % job["master"])
    started = time.time()
    spark = session(job)
    say("progress", "Spark %s ready in %.1f s" % (spark.version, time.time() - started))
    try:
        if job["command"] == "join":
            for index, view in enumerate(job["views"]):
                join_view(spark, view, index, len(job["views"]))
        elif job["command"] == "evaluate":
            evaluate(spark, job)
        elif job["command"] == "ping":
            spark.range(1).collect()
        else:
            raise ValueError("unknown command %r" % job["command"])
    finally:
        spark.stop()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the binary shows this line; the traceback stays on stderr
        import traceback
        traceback.print_exc()
        say("error", "%s: %s" % (type(error).__name__, error))
        sys.exit(3)
"""#
}
