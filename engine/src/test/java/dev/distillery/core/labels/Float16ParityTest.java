package dev.distillery.core.labels;

import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Soft-label files written with JavaCPP's half-float conversion (before core dropped the engine's libraries) and
 * with {@link Float16} hold the same bits. Here because only the engine module has JavaCPP on its classpath.
 */
class Float16ParityTest {

    @Test
    void decodesEveryHalfAsJavaCppDid() {
        for (int h = 0; h < 1 << 16; h++) {
            assertThat(Float.floatToRawIntBits(Float16.decode((short) h)))
                    .as("half %04x", h).isEqualTo(Float.floatToRawIntBits(HalfIndexer.toFloat(h)));
        }
    }

    @Test
    void encodesFloatsAcrossTheWholeRangeAsJavaCppDid() {
        // every 4099th bit pattern (a prime stride reaches every rounding case) plus the edges of each range;
        // all 2^32 patterns matched when the conversion was written (15 s, too slow for every build)
        int[] edges = {0, 0x33000000, 0x32ffffff, 0x38800000, 0x387fffff, 0x477fefff, 0x477ff000, 0x47800000,
                0x7f7fefff, 0x7f7ff000, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fc00000, 0x3f801000, 0x3f803000};
        for (int e : edges) {
            for (int sign : new int[]{0, 0x80000000}) {
                float f = Float.intBitsToFloat(e | sign);
                assertThat(Float16.encode(f)).as("float %08x", e | sign).isEqualTo((short) HalfIndexer.fromFloat(f));
            }
        }
        for (long bits = 0; bits <= 0xffffffffL; bits += 4099) {
            float f = Float.intBitsToFloat((int) bits);
            assertThat(Float16.encode(f)).as("float %08x", bits).isEqualTo((short) HalfIndexer.fromFloat(f));
        }
    }
}
