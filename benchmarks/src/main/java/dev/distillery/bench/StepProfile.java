package dev.distillery.bench;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.PipelineConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.CosineSchedule;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ParamInit;
import dev.distillery.engine.samediff.NativeSettings;
import dev.distillery.engine.samediff.SameDiffNet;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.teacher.arch.TeacherArchitecture;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one training step's time goes inside the engine: the default teacher (cross-entropy) or student
 * (distillation loss against the teacher-shaped targets) trained on real Fashion-MNIST minibatches in a plain loop on
 * the calling thread, with a SameDiff listener timing every op execution. Usage:
 * {@code StepProfile <fashion-mnist dir> <teacher|student|teacher-qat|student-qat> <batch> <warm-up steps>
 * <timed steps>} (the "-qat" models: the graph fake-quantized as the QAT stage trains it, 8-bit weights and
 * activations with fixed ranges). Prints
 * {@code RESULT step <model> <batch> <ms per step> <ms per step inside ops>} and one
 * {@code RESULT op <model> <op> <ms per step> <calls per step>} per op type, largest first; the step time outside
 * the ops is the engine's graph session, the optimizer's updates and the minibatch's conversion.
 * bench/peer/step_profile.py measures the same step in PyTorch.
 */
public final class StepProfile {
    private StepProfile() {
    }

    public static void main(String[] args) {
        NativeSettings.useJvmDefaults();
        Path dir = Path.of(args[0]);
        String model = args[1];
        int batch = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        int rows = batch * (warmup + steps);
        float[][] x = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"));
        int[] y = IdxReader.readLabels(dir.resolve("train-labels-idx1-ubyte.gz"));
        boolean qat = model.endsWith("-qat");
        boolean teacher = model.equals("teacher") || model.equals("teacher-qat");
        if (!teacher && !model.equals("student") && !model.equals("student-qat")) {
            throw new IllegalArgumentException("model must be teacher, student, teacher-qat or student-qat, was "
                    + model);
        }
        PipelineConfig cfg = defaultConfig();
        Architecture arch = defaultArchitecture(cfg, teacher);
        Objective objective = teacher ? new CrossEntropyObjective()
                : new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha());
        GraphHooks hooks = qat ? new dev.distillery.core.engine.FakeQuantHooks(
                dev.distillery.bench.jmh.Fixtures.quantSpec(arch)) : GraphHooks.NONE;
        SameDiffNet net = SameDiffNet.forTraining(arch, ParamInit.he(arch, 42), hooks, objective,
                new CosineSchedule(1e-3, 0, warmup + steps, 1e-4), 0);
        OpTimer timer = new OpTimer();
        net.addListener(timer);
        long t0 = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                timer.reset();
                t0 = System.nanoTime();
            }
            int from = (s * batch) % (x.length - batch);
            float[][] fx = Arrays.copyOfRange(x, from, from + batch);
            int[] fy = Arrays.copyOfRange(y, from, from + batch);
            net.fit(fx, fy, teacher ? null : pseudoTeacher(fy, arch.numClasses()), s);
        }
        double msPerStep = (System.nanoTime() - t0) / 1e6 / steps;
        double opMs = timer.total.values().stream().mapToLong(Long::longValue).sum() / 1e6 / steps;
        System.out.printf("RESULT step %s %d %.3f %.3f%n", model, batch, msPerStep, opMs);
        System.out.printf("RESULT params %08x%n", Arrays.hashCode(net.flatParams()));
        timer.total.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("RESULT op %s %s %.3f %.1f%n", model, e.getKey(),
                        e.getValue() / 1e6 / steps, (double) timer.calls.get(e.getKey()) / steps));
        System.exit(0);
    }

    /** The configuration every key of which is at its default. */
    static PipelineConfig defaultConfig() {
        return ConfigLoader.fromTree(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of(), "benchmark");
    }

    /** The default config's teacher or student for 28x28 single-channel images and 10 classes. */
    static Architecture defaultArchitecture(PipelineConfig cfg, boolean teacher) {
        DatasetInfo info = new DatasetInfo(1, 28, 28, 10, List.of(), Map.of(), "benchmark");
        return teacher ? TeacherArchitecture.of(cfg.teacher(), info) : StudentArchitecture.of(cfg.student(), info);
    }

    /** Teacher-like logits for the distillation loss: a margin of 6 on the true class (the values do not change
     * the ops' cost). */
    private static float[][] pseudoTeacher(int[] labels, int classes) {
        float[][] z = new float[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            z[i][labels[i]] = 6f;
        }
        return z;
    }

    /** Wall time per op type between the session's pre- and post-execution callbacks, on the training thread. */
    static final class OpTimer extends BaseListener {
        /** {@code -Dstepprofile.instances=true}: one row per op of the graph (its name) instead of per op type. */
        private static final boolean BY_INSTANCE = Boolean.getBoolean("stepprofile.instances");
        final Map<String, Long> total = new LinkedHashMap<>();
        final Map<String, Integer> calls = new LinkedHashMap<>();
        private long started;

        void reset() {
            total.clear();
            calls.clear();
        }

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            started = System.nanoTime();
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            String name = BY_INSTANCE ? op.getName() : op.getOp().opName();
            total.merge(name, System.nanoTime() - started, Long::sum);
            calls.merge(name, 1, Integer::sum);
        }
    }
}
