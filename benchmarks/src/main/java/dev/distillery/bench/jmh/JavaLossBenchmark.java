package dev.distillery.bench.jmh;

import dev.distillery.core.engine.DistillationObjective;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** The distillation loss computed in plain Java ({@code DistillationObjective.lossValue}) over 64 rows. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JavaLossBenchmark {
    private float[][] student;
    private float[][] teacher;
    private int[] labels;

    @Setup
    public void setUp() {
        labels = Fixtures.labels(Fixtures.BATCH, 3);
        teacher = Fixtures.logits(labels, 4);
        student = Fixtures.logits(Fixtures.labels(Fixtures.BATCH, 5), 6);
    }

    @Benchmark
    public double distillationLoss() {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum += DistillationObjective.lossValue(student[i], teacher[i], labels[i], 4.0, 0.7);
        }
        return sum;
    }
}
