package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;

import java.nio.file.Path;
import java.util.List;

/** prepare: raw IDX/CSV/Parquet input becomes the canonical example dataset with a seeded validation split. */
public final class PrepareStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("prepared");
    @Override
    public String name() {
        return "prepare";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "data");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        return ExamplePreparation.inputFiles(ctx.config().data());
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        DatasetInfo info = ExamplePreparation.prepare(ctx.config().data(), ctx.config().seed(), ctx.spark(), workDir);
        StageResult result = new StageResult();
        info.counts().forEach(result::rows);
        ctx.console().printf("  %d classes, %dx%dx%d features; rows %s%n", info.numClasses(), info.channels(),
                info.height(), info.width(), info.counts());
        return result.metric("num_classes", info.numClasses()).output("examples", "examples")
                .output("dataset", "dataset.json");
    }
}
