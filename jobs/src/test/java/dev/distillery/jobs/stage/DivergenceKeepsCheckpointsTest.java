package dev.distillery.jobs.stage;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.error.TrainingDivergedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stage that diverges keeps its checkpoints in a hidden failed folder and leaves the previous result alone. */
class DivergenceKeepsCheckpointsTest {
    @TempDir
    Path out;

    /** Writes two epoch checkpoints, then diverges in the third epoch, as the Spark trainer reports it. */
    static final class DivergingStage implements Stage {
        @Override
        public String name() {
            return "train-teacher";
        }

        @Override
        public StageFolder output() {
            return TrainTeacherStage.OUTPUT;
        }

        @Override
        public List<String> configSections() {
            return List.of("teacher");
        }

        @Override
        public List<Path> inputs(StageContext ctx) {
            return List.of();
        }

        @Override
        public StageResult run(StageContext ctx, Path workDir) {
            try {
                Files.createDirectories(workDir.resolve("checkpoints"));
                Files.writeString(workDir.resolve("checkpoints/teacher-epoch-001.dmodel"), "epoch 1");
                Files.writeString(workDir.resolve("checkpoints/teacher-epoch-002.dmodel"), "epoch 2");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new TrainingDivergedException("teacher training diverged at epoch 3, round 5 of 12 (steps up to 340): "
                    + "loss NaN; lower the learning rate. The last good epoch checkpoint is kept.");
        }
    }

    @Test
    void divergedStageKeepsItsCheckpointsAndThePreviousResult() throws Exception {
        Path previous = Files.createDirectories(out.resolve("teacher"));
        Files.writeString(previous.resolve("teacher.dmodel"), "the user's earlier teacher");
        StageContext ctx = new StageContext(ConfigLoader.fromTree(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of(), "test"),
                out, "local[1]", new PrintStream(java.io.OutputStream.nullOutputStream()));

        assertThatThrownBy(() -> StageRunner.run(new DivergingStage(), ctx, true))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("diverged at epoch 3, round 5")
                .hasMessageContaining("Checkpoints of the failed run are in")
                .satisfies(e -> assertThat(((DistilleryException) e).exitCode()).isEqualTo(2));

        try (var names = Files.list(out)) {
            List<Path> failed = names.filter(p -> p.getFileName().toString().startsWith(".teacher.failed-")).toList();
            assertThat(failed).hasSize(1);
            assertThat(failed.get(0).resolve("checkpoints/teacher-epoch-002.dmodel")).hasContent("epoch 2");
        }
        assertThat(previous.resolve("teacher.dmodel")).hasContent("the user's earlier teacher");
        assertThat(previous.resolve("manifest.json")).doesNotExist();
    }
}
