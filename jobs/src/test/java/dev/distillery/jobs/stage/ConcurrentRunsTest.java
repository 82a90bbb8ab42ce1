package dev.distillery.jobs.stage;

import dev.distillery.core.testing.TestSpark;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Student runs trained side by side: results in list order, and one failure stops the others' Spark jobs. */
class ConcurrentRunsTest {
    private static final java.util.concurrent.atomic.AtomicBoolean SLOW_TASK_STARTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    @Test
    void resultsComeBackInListOrderWhateverFinishesFirst() {
        SparkContext sc = TestSpark.get().sparkContext();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Long> out = StudentTraining.concurrently(sc, List.of(300L, 10L, 150L, 5L), millis -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                // a real Spark job per run, as a training round is
                return JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1, 2), 2)
                        .map(i -> sleepThen(millis, i)).reduce((a, b) -> a + b) * 1000L + millis;
            } finally {
                running.decrementAndGet();
            }
        });
        assertThat(out).containsExactly(3300L, 3010L, 3150L, 3005L);
        assertThat(most.get()).isEqualTo(StudentTraining.CONCURRENT_RUNS);
    }

    @Test
    void theFirstFailureCancelsTheOtherRunsJobsAndIsRethrown() {
        SparkContext sc = TestSpark.get().sparkContext();
        // as StageContext labels a stage's jobs, but with interrupt-on-cancel so that the sleeping task ends at once
        sc.setJobGroup("concurrent-runs-test", "a stage's jobs", true);
        long start = System.nanoTime();
        try {
            SLOW_TASK_STARTED.set(false);
            assertThatThrownBy(() -> StudentTraining.concurrently(sc, List.of("slow", "failing"), run -> {
                if (run.equals("failing")) {
                    // fail once the other run's job is running (local mode: the task runs in this JVM)
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    while (!SLOW_TASK_STARTED.get() && System.nanoTime() < deadline) {
                        sleepThen(20, 0);
                    }
                    throw new IllegalArgumentException("run " + run + " diverged");
                }
                return JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1), 1)
                        .map(i -> {
                            SLOW_TASK_STARTED.set(true);
                            return sleepThen(120_000, i);
                        }).collect();
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("run failing diverged");
        } finally {
            sc.clearJobGroup();
        }
        // the slow run's two-minute job was cancelled, not waited for
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(100);
    }

    private static int sleepThen(long millis, int value) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }
}
