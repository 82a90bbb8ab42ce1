package dev.distillery.core.train;

import java.io.Serializable;

/** One training example as the trainer sees it: features, hard label and, for distillation, teacher logits. */
public record TrainRow(float[] features, int label, float[] teacher) implements Serializable {
}
