package dev.distillery.core.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A round's results are summed by Spark's tree reduce only where it would add a level of tasks. */
class RoundSumTest {

    @Test
    void fewPartitionsSumOnTheDriverAndManyThroughATree() {
        // depth 2: scale = max(ceil(sqrt(n)), 2), a level is added while n > scale + ceil(n / scale)
        for (int n = 1; n <= 5; n++) {
            assertThat(SparkTrainer.tree(n)).as("%d partitions", n).isFalse();
        }
        assertThat(SparkTrainer.tree(6)).isTrue();     // scale 3: 6 > 3 + 2
        assertThat(SparkTrainer.tree(9)).isTrue();     // scale 3: 9 > 3 + 3
        assertThat(SparkTrainer.tree(200)).isTrue();
    }
}
