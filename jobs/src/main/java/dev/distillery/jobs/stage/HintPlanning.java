package dev.distillery.jobs.stage;

import dev.distillery.core.config.DataConfig;
import dev.distillery.core.config.HintConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.IdxReader;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.HintPlan;
import dev.distillery.core.model.ModelIO;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.teacher.arch.TeacherArchitecture;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks {@code distill.hint} against the teacher and student architectures before any work. The input shape comes
 * from the prepared data when it exists, else from the config ({@code data.shape}, or the IDX header of the training
 * images), so that {@code run} on an empty folder refuses a bad hint before preparing data and training a teacher.
 */
final class HintPlanning {
    private HintPlanning() {
    }

    static void check(StageContext ctx) {
        HintConfig hint = ctx.config().distill().hint();
        if (!hint.enabled()) {
            return;
        }
        if (Teachers.onnx(ctx)) {
            throw new InvalidConfigException("distill.hint reads a layer of the teacher inside Distillery's engine, "
                    + "but teacher.source is onnx (" + Teachers.location(ctx) + "); turn distill.hint off for an "
                    + "ONNX teacher");
        }
        Optional<DatasetInfo> info = dataset(ctx);
        if (info.isEmpty()) {
            return;     // checked again, with the prepared data, right before distill runs
        }
        Architecture student = StudentArchitecture.of(ctx.config().student(), info.get());
        Path teacherFile = TrainTeacherStage.MODEL.path(ctx);
        Architecture teacher = Files.exists(teacherFile)
                ? ModelIO.read(teacherFile, TeacherTraining.KIND).architecture()
                : TeacherArchitecture.of(ctx.config().teacher(), info.get());
        HintPlan.resolve(hint, teacher, student);
    }

    /**
     * The data's shape before prepare has run, where it can be known: prepare's dataset.json, else {@code data.shape},
     * else the IDX headers; the class count only sizes the last layer.
     */
    static Optional<DatasetInfo> dataset(StageContext ctx) {
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        if (Files.exists(prepared.resolve(Examples.INFO_FILE))) {
            return Optional.of(Examples.info(prepared));
        }
        DataConfig data = ctx.config().data();
        // the class count only sizes the last layer, which is never a hint layer
        int classes = Math.max(2, data.classNames().size());
        if (data.shape() != null) {
            return Optional.of(info(data.shape().get(0), data.shape().get(1), data.shape().get(2), classes));
        }
        if (!"idx".equals(data.format())) {
            return Optional.empty();
        }
        Path images = ExamplePreparation.expand(data.dir()).resolve(data.trainImages());
        if (!Files.isRegularFile(images)) {
            return Optional.empty();
        }
        int[] hw = IdxReader.imageShape(images);
        return Optional.of(info(1, hw[0], hw[1], classes));
    }

    private static DatasetInfo info(int channels, int height, int width, int classes) {
        return new DatasetInfo(channels, height, width, classes, List.of(), Map.of(), "config");
    }
}
