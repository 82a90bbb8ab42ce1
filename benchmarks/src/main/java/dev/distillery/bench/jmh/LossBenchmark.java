package dev.distillery.bench.jmh;

import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.Objective;
import dev.distillery.engine.samediff.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The loss alone on a minibatch of 64 student logits: its value and its gradient with respect to the logits, in the
 * engine's graph, which is what each training step pays for its loss.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LossBenchmark {
    @Param({"cross-entropy", "distillation"})
    public String objective;

    private SameDiff sd;
    private Map<String, INDArray> feed;
    private float[][] student;
    private float[][] teacher;
    private int[] labels;

    @Setup
    public void setUp() {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        labels = Fixtures.labels(Fixtures.BATCH, 3);
        teacher = Fixtures.logits(labels, 4);
        student = Fixtures.logits(Fixtures.labels(Fixtures.BATCH, 5), 6);
        Objective loss = objective.equals("distillation") ? new DistillationObjective(4.0, 0.7)
                : new CrossEntropyObjective();
        sd = SameDiff.create();
        SDVariable logits = sd.var("student_logits", Nd4j.create(student));
        sd.setLossVariables(Losses.build(loss, sd, logits, Fixtures.CLASSES).name());
        INDArray[] targets = Losses.targets(loss, labels, teacher, Fixtures.CLASSES);
        List<String> names = Losses.targetNames(loss);
        feed = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            feed.put(names.get(i), targets[i]);
        }
        sd.calculateGradients(feed, "student_logits");   // builds the gradient graph outside the timing
    }

    @Benchmark
    public Map<String, INDArray> graphValueAndGradient() {
        return sd.calculateGradients(feed, "student_logits");
    }
}
