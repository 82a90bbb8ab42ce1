package dev.distillery.core.labels;

/** One labelled row before encoding: the example's id and view, its hard label and split, and full teacher logits. */
public record SoftLabelRecord(long id, int view, int label, String split, float[] logits) {
}
