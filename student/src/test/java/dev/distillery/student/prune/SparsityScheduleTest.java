package dev.distillery.student.prune;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SparsityScheduleTest {
    @Test
    void followsZhuAndGuptasCubicFromInitialToTarget() {
        // s_t = 0.8 + (0 - 0.8)(1 - t/400)^3 with t0 = 0, dt = 100, n = 4
        SparsitySchedule s = new SparsitySchedule(0.0, 0.8, 0, 100, 4);
        assertThat(s.at(0)).isEqualTo(0.0);
        assertThat(s.at(100)).isCloseTo(0.8 - 0.8 * 0.421875, within(1e-12)); // (3/4)^3
        assertThat(s.at(200)).isCloseTo(0.8 - 0.8 * 0.125, within(1e-12));    // (1/2)^3
        assertThat(s.at(300)).isCloseTo(0.8 - 0.8 * 0.015625, within(1e-12)); // (1/4)^3
        assertThat(s.at(400)).isEqualTo(0.8);
        assertThat(s.at(10_000)).isEqualTo(0.8);
        // between pruning steps the last step's sparsity stays in force
        assertThat(s.inForceAt(199)).isEqualTo(s.at(100));
        assertThat(s.inForceAt(250)).isEqualTo(s.at(200));
        assertThat(s.end()).isEqualTo(400);
    }

    @Test
    void endsWithinTheRampAndBeforeTheLastRound() {
        // 3 epochs of 100 steps, ramp over 75% = 225 steps, pruning every 50 steps: n = 4, end at 200
        SparsitySchedule s = SparsitySchedule.forRun(0.0, 0.8, 50, 0.75, 300, 296);
        assertThat(s.interval()).isEqualTo(50);
        assertThat(s.steps()).isEqualTo(4);
        assertThat(s.end()).isLessThanOrEqualTo(225);
        // a ramp longer than training allows ends at the last round start
        SparsitySchedule late = SparsitySchedule.forRun(0.0, 0.8, 50, 1.0, 300, 120);
        assertThat(late.end()).isLessThanOrEqualTo(120);
        // an interval longer than the ramp shrinks to it: one step from s_i to s_f
        SparsitySchedule one = SparsitySchedule.forRun(0.2, 0.8, 500, 0.5, 300, 296);
        assertThat(one.steps()).isEqualTo(1);
        assertThat(one.interval()).isEqualTo(150);
        assertThat(one.at(0)).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void rejectsImpossibleSparsities() {
        assertThatThrownBy(() -> new SparsitySchedule(0.0, 1.0, 0, 10, 3)).hasMessageContaining("target < 1");
        assertThatThrownBy(() -> new SparsitySchedule(-0.1, 0.5, 0, 10, 3)).hasMessageContaining("0 <= initial");
    }
}
