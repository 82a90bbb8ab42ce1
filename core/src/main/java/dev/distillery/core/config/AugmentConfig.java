package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Augmentations of the extra views of a training example (view 0 is always the example itself): a random zoom
 * that crops up to {@code crop_pixels} from the borders, a random shift of up to {@code shift_pixels} in each
 * direction, a horizontal flip with probability 1/2, and Gaussian noise of standard deviation {@code noise_std}.
 */
public record AugmentConfig(
        @JsonProperty("shift_pixels") int shiftPixels,
        boolean flip,
        @JsonProperty("crop_pixels") int cropPixels,
        @JsonProperty("noise_std") double noiseStd) implements java.io.Serializable {

    public AugmentConfig {
        Check.nonNegative("label.augment.shift_pixels", shiftPixels);
        Check.nonNegative("label.augment.crop_pixels", cropPixels);
        Check.nonNegative("label.augment.noise_std", noiseStd);
    }

    /** Whether any augmentation is switched on. */
    public boolean any() {
        return shiftPixels > 0 || flip || cropPixels > 0 || noiseStd > 0;
    }
}
