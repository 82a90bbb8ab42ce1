package dev.distillery.engine.samediff;

import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.HintObjective;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.HintPlan;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Set;

/**
 * {@link Objective}s as SameDiff graph code: the loss built on the logits, the target placeholders it creates, and
 * the arrays that feed them for one minibatch.
 */
public final class Losses {
    private Losses() {
    }

    /** Placeholder names of the targets, in the order {@link #targets} returns them. */
    public static List<String> targetNames(Objective objective) {
        return objective instanceof CrossEntropyObjective ? List.of("label") : List.of("teacher", "label");
    }

    /** The network layers whose outputs the loss reads by name (a hint loss's student layer), besides the logits. */
    public static Set<Integer> layersRead(Objective objective) {
        return objective instanceof HintObjective hint ? Set.of(hint.plan().studentLayer()) : Set.of();
    }

    /** Builds the scalar loss "loss"; creates the placeholders named by {@link #targetNames}. */
    public static SDVariable build(Objective objective, SameDiff sd, SDVariable logits, int numClasses) {
        if (objective instanceof CrossEntropyObjective) {
            SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, numClasses);
            return sd.loss().softmaxCrossEntropy("loss", label, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT,
                    0.0);
        } else if (objective instanceof DistillationObjective kd) {
            return hinton(sd, logits, numClasses, kd.temperature(), kd.alpha(), "loss");
        } else if (objective instanceof HintObjective hint) {
            return hint(sd, logits, numClasses, hint);
        }
        throw new IllegalArgumentException("SameDiff has no loss for objective " + objective);
    }

    /** Targets for one minibatch; {@code teacherLogits} is null when the data carries no soft labels. */
    public static INDArray[] targets(Objective objective, int[] labels, float[][] teacherLogits, int numClasses) {
        if (objective instanceof CrossEntropyObjective) {
            return new INDArray[]{oneHot(labels, numClasses)};
        }
        if (teacherLogits == null) {
            throw new IllegalStateException("distillation needs teacher logits in the training data");
        }
        return new INDArray[]{Nd4j.create(teacherLogits), oneHot(labels, numClasses)};
    }

    /**
     * The Hinton loss on {@code logits} as variable {@code name}, creating the "teacher" and "label" placeholders;
     * the hint objective adds its term to it.
     */
    private static SDVariable hinton(SameDiff sd, SDVariable logits, int numClasses, double temperature,
                                     double alpha, String name) {
        SDVariable teacher = sd.placeHolder("teacher", DataType.FLOAT, -1, numClasses);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, numClasses);
        SDVariable logPt = sd.nn().logSoftmax(teacher.div(temperature));
        SDVariable pt = sd.math().exp(logPt);
        SDVariable logPs = sd.nn().logSoftmax(logits.div(temperature));
        SDVariable kl = pt.mul(logPt.sub(logPs)).sum(1).mean();
        SDVariable ce = sd.loss().softmaxCrossEntropy(label, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        return kl.mul(alpha * temperature * temperature).add(name, ce.mul(1 - alpha));
    }

    /** Hinton loss plus the weighted hint term, with the teacher's layers up to the hint layer frozen in the graph. */
    private static SDVariable hint(SameDiff sd, SDVariable logits, int numClasses, HintObjective objective) {
        HintPlan plan = objective.plan();
        SDVariable kd = hinton(sd, logits, numClasses, objective.temperature(), objective.alpha(), "kd_loss");
        SDVariable t = GraphBuilder.frozenPrefix(sd, objective.teacher(), objective.teacherParams(),
                plan.teacherLayer(), HintObjective.TEACHER_PREFIX);
        SDVariable s = sd.getVariable(GraphBuilder.outputName(plan.studentLayer()));
        if (plan.teacherPool() > 1) {
            t = averagePool(sd, t, plan.teacherPool());
        }
        if (plan.studentPool() > 1) {
            s = averagePool(sd, s, plan.studentPool());
        }
        var projection = objective.auxiliaryParams();
        SDVariable w = sd.var(HintObjective.PROJECTION_WEIGHT, Nd4j.create(projection.get(HintObjective.PROJECTION_WEIGHT),
                GraphBuilder.toLong(plan.projectionWeightShape()), 'c'));
        SDVariable b = sd.var(HintObjective.PROJECTION_BIAS, Nd4j.create(projection.get(HintObjective.PROJECTION_BIAS),
                new long[]{plan.teacherShape().channels()}, 'c'));
        SDVariable projected = plan.spatial()
                ? sd.cnn().conv2d("hint_projection", s, w, b, GraphBuilder.convConfig(1, 1))
                : sd.nn().linear("hint_projection", s, w, b);
        SDVariable diff = projected.sub(t);
        SDVariable hint = sd.identity(HintObjective.HINT, diff.mul(diff).mean());
        return kd.add("loss", hint.mul(plan.weight()));
    }

    private static SDVariable averagePool(SameDiff sd, SDVariable x, int k) {
        return sd.cnn().avgPooling2d(x, Pooling2DConfig.builder().kH(k).kW(k).sH(k).sW(k)
                .paddingMode(PaddingMode.VALID).isNHWC(false).build());
    }

    /** One-hot rows of {@code labels}. */
    static INDArray oneHot(int[] labels, int numClasses) {
        float[][] m = new float[labels.length][numClasses];
        for (int i = 0; i < labels.length; i++) {
            m[i][labels[i]] = 1f;
        }
        return Nd4j.create(m);
    }
}
