package dev.distillery.jobs.stage;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.manifest.ModelOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stage's manifest lists the models it wrote, later stages read that list, and a manifest written before stages
 * listed their models makes the stage run again instead of leaving later stages without the list.
 */
class ManifestModelsTest {
    @TempDir
    Path out;

    /** Writes one model file and lists it, as distill does for its students. */
    static final class OneModelStage implements Stage {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public String name() {
            return "distill";
        }

        @Override
        public StageFolder output() {
            return DistillStage.OUTPUT;
        }

        @Override
        public List<String> configSections() {
            return List.of("distill");
        }

        @Override
        public List<Path> inputs(StageContext ctx) {
            return List.of();
        }

        @Override
        public StageResult run(StageContext ctx, Path workDir) {
            runs.incrementAndGet();
            try {
                Files.writeString(DistillStage.KD_MODEL.in(workDir), "a student");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new StageResult().model("kd", "student-kd", "student-kd", DistillStage.KD_MODEL);
        }
    }

    @Test
    void laterStagesReadTheModelsAndAnOlderManifestWithoutThemIsRedone() throws Exception {
        StageContext ctx = new StageContext(ConfigLoader.fromTree(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of(), "test"),
                out, "local[1]", new PrintStream(java.io.OutputStream.nullOutputStream()));
        OneModelStage stage = new OneModelStage();

        StageRunner.run(stage, ctx, false);
        Manifest written = ManifestIO.read(DistillStage.OUTPUT.dir(out)).orElseThrow();
        assertThat(written.models()).containsExactly(
                java.util.Map.entry("student-kd", new ModelOutput("student-kd", "student-kd.dmodel")));
        assertThat(written.outputs()).containsKey("kd");
        List<UpstreamModels.Model> models = UpstreamModels.of(ctx, stage);
        assertThat(models).containsExactly(new UpstreamModels.Model("student-kd", "student-kd", DistillStage.KD_MODEL));
        assertThat(models.get(0).path(ctx)).hasContent("a student");

        StageRunner.run(stage, ctx, false);
        assertThat(stage.runs).as("up to date").hasValue(1);

        // the same manifest as an earlier Distillery wrote it: no models field
        Path manifest = DistillStage.OUTPUT.dir(out).resolve(ManifestIO.FILE);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) ManifestIO.json().readTree(manifest.toFile());
        tree.remove("models");
        Files.writeString(manifest, ManifestIO.json().writeValueAsString(tree));
        StageRunner.run(stage, ctx, false);
        assertThat(stage.runs).as("redone").hasValue(2);
        assertThat(ManifestIO.read(DistillStage.OUTPUT.dir(out)).orElseThrow().models()).containsKey("student-kd");
    }
}
