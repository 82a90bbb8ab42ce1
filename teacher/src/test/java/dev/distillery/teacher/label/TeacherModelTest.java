package dev.distillery.teacher.label;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How an ONNX teacher declared channels-last receives the prepared rows, which are flattened channels-first. */
class TeacherModelTest {
    @Test
    void channelsFirstRowsAreReorderedChannelsLast() {
        // 3 channels of a 2x2 image: channel c, pixel p holds 10 * c + p
        float[] chw = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
        float[][] hwc = TeacherModel.toHwc(new float[][]{chw}, 3, 2, 2);
        assertThat(hwc[0]).containsExactly(0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23);
        assertThat(chw).as("the input row is left as it was").containsExactly(0, 1, 2, 3, 10, 11, 12, 13, 20, 21,
                22, 23);
    }

    @Test
    void oneChannelRowsAreTheSameInBothOrders() {
        float[][] rows = {{1, 2, 3, 4}};
        assertThat(TeacherModel.toHwc(rows, 1, 2, 2)[0]).containsExactly(1, 2, 3, 4);
    }
}
