package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Augmentations of a training example: the label stage's extra views (view 0 is always the example itself) and,
 * under {@code teacher.augment}, a fresh view of every example in every epoch of teacher training. A random zoom
 * that crops up to {@code crop_pixels} from the borders, a random shift of up to {@code shift_pixels} in each
 * direction, a horizontal flip with probability 1/2, and Gaussian noise of standard deviation {@code noise_std}.
 */
public record AugmentConfig(
        @JsonProperty("shift_pixels") int shiftPixels,
        boolean flip,
        @JsonProperty("crop_pixels") int cropPixels,
        @JsonProperty("noise_std") double noiseStd) implements java.io.Serializable {

    /** Nothing switched on. */
    public static final AugmentConfig NONE = new AugmentConfig(0, false, 0, 0.0);

    /** Checks the values of the section at {@code key} ({@code label.augment}, {@code teacher.augment}). */
    public AugmentConfig check(String key) {
        Check.nonNegative(key + ".shift_pixels", shiftPixels);
        Check.nonNegative(key + ".crop_pixels", cropPixels);
        Check.nonNegative(key + ".noise_std", noiseStd);
        return this;
    }

    /** Whether any augmentation is switched on. */
    public boolean any() {
        return shiftPixels > 0 || flip || cropPixels > 0 || noiseStd > 0;
    }
}
