package dev.distillery.jobs.cli;

import dev.distillery.core.testing.TestSpark;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Spark failures map to exit codes by their error condition or type, each raised by real Spark in local mode. */
class ExitsTest {
    @TempDir
    Path tmp;

    private record Exit(int code, String err) {
    }

    private static Exit exit(Throwable e) {
        assertThat(e).as("the Spark call failed").isNotNull();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = Exits.of(e, new PrintStream(buf, true));
        return new Exit(code, buf.toString());
    }

    private static void assertBadInput(Exit exit, String condition) {
        assertThat(exit.code()).as(exit.err()).isEqualTo(2);
        assertThat(exit.err()).startsWith("error: [" + condition).doesNotContain("\tat ");
    }

    @Test
    void aMissingPathIsBadInput() {
        Path missing = tmp.resolve("no-such-table");
        Exit exit = exit(catchThrowable(() -> TestSpark.get().read().parquet(missing.toString())));
        assertBadInput(exit, "PATH_NOT_FOUND]");
        assertThat(exit.err()).contains(missing.toString());
    }

    @Test
    void aFileThatIsNotParquetIsBadInput() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("table"));
        Files.writeString(folder.resolve("part-0.parquet"), "carrier,origin\nUA,JFK\n");
        Exit exit = exit(catchThrowable(() -> TestSpark.get().read().parquet(folder.toString()).count()));
        assertBadInput(exit, "FAILED_READ_FILE.");
    }

    @Test
    void anEmptyFolderIsBadInput() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("empty"));
        assertBadInput(exit(catchThrowable(() -> TestSpark.get().read().parquet(folder.toString()))),
                "UNABLE_TO_INFER_SCHEMA]");
    }

    @Test
    void aValueThatIsNotANumberIsBadInput() {
        SparkSession spark = TestSpark.get();
        Exit exit = exit(catchThrowable(() -> spark.createDataset(List.of("12", "UA"), Encoders.STRING())
                .select(col("value").cast("float")).collectAsList()));
        assertBadInput(exit, "CAST_INVALID_INPUT]");
        assertThat(exit.err()).contains("'UA'");
    }

    @Test
    void aJobCancelledUnderTheStageIsTransient() throws Exception {
        SparkContext sc = TestSpark.get().sparkContext();
        String group = "exits-test-" + System.nanoTime();
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
            sc.setJobGroup(group, "a job cancelled from outside", true);
            TestSpark.get().range(0, 2, 1, 2).foreach((ForeachFunction<Long>) x -> Thread.sleep(60_000));
        }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sc.statusTracker().getJobIdsForGroup(group).length == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        sc.cancelJobGroup(group);
        Exit exit = exit(failure.get(60, TimeUnit.SECONDS));
        assertThat(exit.code()).as(exit.err()).isEqualTo(3);
        assertThat(exit.err()).contains("SPARK_JOB_CANCELLED");
    }

    @Test
    void aJobAbortedForALostExecutorIsTransient() {
        // Spark raises this abort without a condition or cause; the message is DAGScheduler's, as a cluster gives it
        SparkException abort = new SparkException("Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 "
                + "times, most recent failure: Lost task 3.3 in stage 7.0 (TID 41) (10.0.0.2 executor 2): "
                + "ExecutorLostFailure (executor 2 exited caused by one of the running tasks) Reason: Remote RPC "
                + "client disassociated.");
        assertThat(exit(abort).code()).isEqualTo(3);
        assertThat(exit(new SparkException("Job aborted due to stage failure: a task threw")).code())
                .as("an abort for another reason is not retried").isEqualTo(1);
    }

    @Test
    void aStoppedSparkContextIsTransient() {
        IllegalStateException stopped = new IllegalStateException("SparkContext has been shutdown");
        stopped.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("org.apache.spark.SparkContext", "runJob", "SparkContext.scala", 2475)});
        assertThat(exit(stopped).code()).isEqualTo(3);
        IllegalStateException ours = new IllegalStateException("SparkContext has been shutdown");
        assertThat(exit(ours).code()).as("the same words thrown elsewhere are a bug").isEqualTo(1);
    }

    @Test
    void anUnresolvedColumnInAPlanDistilleryBuiltIsAnInternalError() {
        Exit exit = exit(catchThrowable(() -> TestSpark.get().range(1).select(col("no_such_column")).collectAsList()));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.err()).startsWith("internal error: ").contains("UNRESOLVED_COLUMN").contains("\tat ");
    }
}
