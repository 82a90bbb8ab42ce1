package dev.distillery.bench.jmh;

import dev.distillery.core.engine.CosineSchedule;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ParamInit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One training step (forward, backward, Adam update) of the default student on a minibatch of 64, with the
 * cross-entropy or the distillation loss and with float or fake-quantized (8-bit weights and activations) graphs:
 * the cost of the distillation loss and of fake quantization where training pays for them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingStepBenchmark {
    @Param({"cross-entropy", "distillation"})
    public String objective;

    @Param({"float", "fake-quant"})
    public String graph;

    private Network net;
    private float[][] x;
    private int[] y;
    private float[][] teacher;
    private int step;

    @Setup
    public void setUp() {
        dev.distillery.engine.samediff.NativeSettings.useJvmDefaults();
        Architecture arch = Fixtures.student();
        Objective loss = objective.equals("distillation") ? new DistillationObjective(4.0, 0.7)
                : new CrossEntropyObjective();
        GraphHooks hooks = graph.equals("fake-quant") ? new FakeQuantHooks(Fixtures.quantSpec(arch)) : GraphHooks.NONE;
        net = Engines.network().forTraining(arch, ParamInit.he(arch, 1), hooks, loss,
                new CosineSchedule(0.001, 0, 1_000_000, 0.02), 0);
        x = Fixtures.images(Fixtures.BATCH, 2);
        y = Fixtures.labels(Fixtures.BATCH, 3);
        teacher = Fixtures.logits(y, 4);
        net.fit(x, y, teacher, step++);   // builds the gradient graph and the optimizer state
    }

    @Benchmark
    public Network step() {
        net.fit(x, y, teacher, step++);
        return net;
    }
}
