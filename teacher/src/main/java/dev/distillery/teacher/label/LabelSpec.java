package dev.distillery.teacher.label;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.labels.SoftLabelMetadata;

import java.io.Serializable;

/**
 * Everything an executor needs to label its rows: inference batch size, how an ensemble's outputs combine, views
 * per training example and how they are made, and the metadata every written file carries.
 */
public record LabelSpec(int batchSize, String ensemble, int views, ViewAugmenter augmenter, SoftLabelMetadata meta)
        implements Serializable {
}
