package dev.distillery.core.nn;

import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** Softmax cross-entropy against the hard labels. */
public final class CrossEntropyObjective implements Objective {
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> targetNames() {
        return List.of("label");
    }

    @Override
    public SDVariable loss(SameDiff sd, SDVariable logits, int numClasses) {
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, numClasses);
        return sd.loss().softmaxCrossEntropy("loss", label, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
    }

    @Override
    public INDArray[] targets(int[] labels, float[][] teacherLogits, int numClasses) {
        return new INDArray[]{Objective.oneHot(labels, numClasses)};
    }

    @Override
    public boolean needsTeacher() {
        return false;
    }
}
