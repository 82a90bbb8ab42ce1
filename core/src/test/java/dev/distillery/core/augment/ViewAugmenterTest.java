package dev.distillery.core.augment;

import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ViewAugmenterTest {
    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1 + i;
        }
        return x;
    }

    @Test
    void viewZeroIsTheExampleItself() {
        float[] x = ramp(64);
        assertThat(new ViewAugmenter(new AugmentConfig(2, true, 1, 0.1), 1, 1, 8, 8).view(x, 5, 0)).isSameAs(x);
    }

    @Test
    void aViewIsAFunctionOfIdViewAndSeedAlone() {
        AugmentConfig cfg = new AugmentConfig(2, true, 2, 0.05);
        float[] x = ramp(64);
        float[] a = new ViewAugmenter(cfg, 9, 1, 8, 8).view(x, 12, 3);
        assertThat(new ViewAugmenter(cfg, 9, 1, 8, 8).view(x.clone(), 12, 3)).containsExactly(a);
        assertThat(new ViewAugmenter(cfg, 9, 1, 8, 8).view(x, 12, 4)).isNotEqualTo(a);
        assertThat(new ViewAugmenter(cfg, 10, 1, 8, 8).view(x, 12, 3)).isNotEqualTo(a);
        assertThat(new ViewAugmenter(cfg, 9, 1, 8, 8).view(x, 13, 3)).isNotEqualTo(a);
    }

    @Test
    void flipOnlyViewsAreTheImageOrItsMirror() {
        float[] x = ramp(12);   // 1 channel, 3 rows of 4
        ViewAugmenter aug = new ViewAugmenter(new AugmentConfig(0, true, 0, 0), 1, 1, 3, 4);
        int mirrored = 0;
        for (int v = 1; v <= 40; v++) {
            float[] y = aug.view(x, 7, v);
            boolean flipped = y[0] == x[3];
            mirrored += flipped ? 1 : 0;
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    assertThat(y[r * 4 + c]).isEqualTo(x[r * 4 + (flipped ? 3 - c : c)]);
                }
            }
        }
        assertThat(mirrored).isBetween(8, 32);   // a fair coin over 40 views
    }

    @Test
    void shiftMovesPixelsAndFillsWithZero() {
        float[] x = ramp(25);
        ViewAugmenter aug = new ViewAugmenter(new AugmentConfig(1, false, 0, 0), 3, 1, 5, 5);
        for (int v = 1; v <= 20; v++) {
            float[] y = aug.view(x, 1, v);
            float sum = 0;
            for (float f : y) {
                sum += f;
            }
            // each nonzero output pixel is an input pixel; a shift by (dy, dx) keeps (5-|dy|)(5-|dx|) of them
            long nonzero = java.util.stream.IntStream.range(0, 25).filter(i -> y[i] != 0).count();
            assertThat(nonzero).isIn(25L, 20L, 16L);
            assertThat(sum).isLessThanOrEqualTo(325f);
        }
    }

    @Test
    void noiseHasTheConfiguredSpread() {
        float[] x = new float[4096];
        float[] y = new ViewAugmenter(new AugmentConfig(0, false, 0, 0.5), 1, 1, 64, 64).view(x, 1, 1);
        double mean = 0;
        double sq = 0;
        for (float v : y) {
            mean += v / 4096.0;
            sq += v * v / 4096.0;
        }
        assertThat(mean).isCloseTo(0, within(0.05));                 // 5 standard errors of the mean
        assertThat(Math.sqrt(sq - mean * mean)).isCloseTo(0.5, within(0.03));
    }

    @Test
    void cropLargerThanTheImageIsAConfigError() {
        assertThatThrownBy(() -> new ViewAugmenter(new AugmentConfig(0, false, 8, 0), 1, 1, 8, 8))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("label.augment.crop_pixels must be < 8");
    }
}
