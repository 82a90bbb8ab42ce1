package dev.distillery.jobs.stage;

import java.util.List;
import java.util.Optional;

/** The stages in pipeline order. */
public final class Pipeline {
    private Pipeline() {
    }

    public static List<Stage> stages() {
        return List.of(new PrepareStage(), new TrainTeacherStage(), new LabelStage(), new DistillStage(),
                new PruneStage(), new QatStage(), new ExportStage(), new EvaluateStage(),
                new DeployStage());
    }

    public static Optional<Stage> byName(String name) {
        return stages().stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
