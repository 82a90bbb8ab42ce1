package dev.distillery.core.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** A training loss: declares its target placeholders, builds the loss on the logits and packs targets per batch. */
public interface Objective extends Serializable {

    /** Placeholder names of the targets, in the order {@link #targets} returns them. */
    List<String> targetNames();

    /** Builds the scalar loss; must create the placeholders named by {@link #targetNames()}. */
    SDVariable loss(SameDiff sd, SDVariable logits, int numClasses);

    /** Targets for one minibatch; {@code teacherLogits} is null when the data carries no soft labels. */
    INDArray[] targets(int[] labels, float[][] teacherLogits, int numClasses);

    /** Whether the objective needs teacher logits in the training data. */
    boolean needsTeacher();

    /**
     * Trainable tensors that belong to the loss rather than to the network (a hint projection), by name in the order
     * they are flattened after the network's parameters, with their initial values in row-major order. {@link #loss}
     * must create them as variables under these names. The trainer trains, averages and checkpoints them with the
     * network's parameters, but they never become part of the trained model.
     */
    default Map<String, float[]> auxiliaryParams() {
        return Map.of();
    }

    /** One-hot encoding helper shared by objectives. */
    static INDArray oneHot(int[] labels, int numClasses) {
        float[][] m = new float[labels.length][numClasses];
        for (int i = 0; i < labels.length; i++) {
            m[i][labels[i]] = 1f;
        }
        return org.nd4j.linalg.factory.Nd4j.create(m);
    }
}
