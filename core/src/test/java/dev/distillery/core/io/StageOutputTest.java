package dev.distillery.core.io;

import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class StageOutputTest {
    @TempDir
    Path root;

    private static Manifest manifest(String hash) {
        return new Manifest("s", hash, Map.of(), 1, Map.of(), "x", "a", "b", 0, Map.of(), Map.of(), Map.of(), Map.of());
    }

    @Test
    void failedStageLeavesNoFolderThatLooksFinished() throws Exception {
        Path target = root.resolve("teacher");
        try (StageOutput out = StageOutput.begin(target)) {
            Files.writeString(out.dir().resolve("half.bin"), "partial");
            // no commit: the stage failed
        }
        assertThat(target).doesNotExist();
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void interruptedTrainingKeepsItsCheckpointsForResume() throws Exception {
        Path target = root.resolve("teacher");
        try (StageOutput out = StageOutput.begin(target).keepCheckpointsOnFailure()) {
            Files.createDirectories(out.dir().resolve("checkpoints"));
            Files.writeString(out.dir().resolve("checkpoints/teacher-epoch-001.dmodel"), "epoch 1");
            // no commit: the JVM is going down (SIGTERM stops Spark, the training throws)
        }
        assertThat(target).doesNotExist();
        try (StageOutput again = StageOutput.resume(target)) {
            assertThat(again.dir().resolve("checkpoints/teacher-epoch-001.dmodel")).hasContent("epoch 1");
        }
    }

    @Test
    void failedTrainingWithoutCheckpointsLeavesNothing() throws Exception {
        Path target = root.resolve("teacher");
        try (StageOutput out = StageOutput.begin(target).keepCheckpointsOnFailure()) {
            Files.createDirectories(out.dir().resolve("checkpoints"));
        }
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void commitMovesCompleteFolderIntoPlaceWithManifest() throws Exception {
        Path target = root.resolve("teacher");
        try (StageOutput out = StageOutput.begin(target)) {
            Files.writeString(out.dir().resolve("model"), "v1");
            out.commit(manifest("h1"));
        }
        assertThat(target.resolve("model")).hasContent("v1");
        assertThat(ManifestIO.read(target)).get().extracting(Manifest::configHash).isEqualTo("h1");
    }

    @Test
    void previousResultSurvivesUntilReplacementIsComplete() throws Exception {
        Path target = root.resolve("teacher");
        try (StageOutput out = StageOutput.begin(target)) {
            Files.writeString(out.dir().resolve("model"), "v1");
            out.commit(manifest("h1"));
        }
        try (StageOutput out = StageOutput.begin(target)) {
            Files.writeString(out.dir().resolve("model"), "v2-partial");
            assertThat(target.resolve("model")).hasContent("v1");
        }
        assertThat(target.resolve("model")).hasContent("v1");
        try (StageOutput out = StageOutput.begin(target)) {
            Files.writeString(out.dir().resolve("model"), "v2");
            out.commit(manifest("h2"));
        }
        assertThat(target.resolve("model")).hasContent("v2");
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("teacher");
        }
    }
}
