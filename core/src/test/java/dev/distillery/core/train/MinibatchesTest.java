package dev.distillery.core.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MinibatchesTest {
    @Test
    void aSingleLeftoverRowJoinsTheLastBatch() {
        // 129 rows at 64: 64 + 65, never 64 + 64 + 1
        assertThat(Minibatches.count(129, 64)).isEqualTo(2);
        assertThat(Minibatches.end(0, 2, 129, 64)).isEqualTo(64);
        assertThat(Minibatches.end(1, 2, 129, 64)).isEqualTo(129);
        assertThat(Minibatches.count(65, 64)).isEqualTo(1);
        assertThat(Minibatches.end(0, 1, 65, 64)).isEqualTo(65);
    }

    @Test
    void otherSizesSplitIntoFullBatchesAndTheRemainder() {
        assertThat(Minibatches.count(128, 64)).isEqualTo(2);
        assertThat(Minibatches.count(130, 64)).isEqualTo(3);
        assertThat(Minibatches.end(2, 3, 130, 64)).isEqualTo(130);
        assertThat(Minibatches.count(1, 64)).isEqualTo(1);
        assertThat(Minibatches.count(0, 64)).isZero();
    }
}
