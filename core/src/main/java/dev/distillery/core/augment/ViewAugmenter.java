package dev.distillery.core.augment;

import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.error.InvalidConfigException;

import java.io.Serializable;

/**
 * View {@code v > 0} of a [channels, height, width] example: crop-and-zoom, shift, horizontal flip, then noise, all
 * drawn from {@link ViewRandom}(seed, id, v) in that order; view 0 is the example unchanged.
 */
public final class ViewAugmenter implements Serializable {
    private static final long serialVersionUID = 1L;
    private final AugmentConfig cfg;
    private final long seed;
    private final int channels;
    private final int height;
    private final int width;

    public ViewAugmenter(AugmentConfig cfg, long seed, int channels, int height, int width) {
        this("label.augment", cfg, seed, channels, height, width);
    }

    /** As above; {@code key} names the configuration section in errors ({@code teacher.augment}, say). */
    public ViewAugmenter(String key, AugmentConfig cfg, long seed, int channels, int height, int width) {
        if (cfg.cropPixels() >= Math.min(height, width)) {
            throw new InvalidConfigException(key + ".crop_pixels must be < " + Math.min(height, width)
                    + " (the smaller image side), was " + cfg.cropPixels());
        }
        if (cfg.shiftPixels() >= Math.max(height, width)) {
            throw new InvalidConfigException(key + ".shift_pixels must be < " + Math.max(height, width)
                    + " (the larger image side), was " + cfg.shiftPixels());
        }
        this.cfg = cfg;
        this.seed = seed;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    public float[] view(float[] x, long id, int view) {
        if (view == 0) {
            return x;
        }
        ViewRandom rnd = new ViewRandom(seed, id, view);
        int c = cfg.cropPixels();
        int top = c > 0 ? rnd.between(0, c) : 0;
        int left = c > 0 ? rnd.between(0, c) : 0;
        int s = cfg.shiftPixels();
        int dy = s > 0 ? rnd.between(-s, s) : 0;
        int dx = s > 0 ? rnd.between(-s, s) : 0;
        boolean flip = cfg.flip() && rnd.between(0, 1) == 1;
        float[] out = new float[x.length];
        int plane = height * width;
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < height; y++) {
                for (int xo = 0; xo < width; xo++) {
                    int xs = flip ? width - 1 - xo : xo;   // flip of the shifted image
                    int ys = y - dy;                      // shift of the zoomed image
                    xs -= dx;
                    if (ys < 0 || ys >= height || xs < 0 || xs >= width) {
                        continue;                         // shifted in from outside: zero
                    }
                    int srcY = top + ys * (height - c) / height;   // nearest-neighbour zoom of the crop window
                    int srcX = left + xs * (width - c) / width;
                    out[ch * plane + y * width + xo] = x[ch * plane + srcY * width + srcX];
                }
            }
        }
        double std = cfg.noiseStd();
        if (std > 0) {
            for (int i = 0; i < out.length; i++) {
                out[i] += (float) (std * rnd.gaussian());
            }
        }
        return out;
    }
}
