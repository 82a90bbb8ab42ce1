package dev.distillery.jobs.stage;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.teacher.label.TeacherModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Distillery teacher's ONNX export for labelling in ONNX Runtime, made and checked once, when train-teacher saves
 * the teacher, instead of in every label run: {@code teacher.onnx} beside {@code teacher.dmodel}, and
 * {@code teacher-onnx.json} recording both files' SHA-256 and how far ONNX Runtime's logits were from SameDiff's on
 * prepared rows. Label uses the export only when both hashes still match the files; otherwise (a teacher saved before
 * exports were kept, or a teacher file given to an ensemble from elsewhere) it exports and checks it itself.
 */
final class TeacherExport {
    static final String ONNX_FILE = "teacher.onnx";
    static final String CHECK_FILE = "teacher-onnx.json";

    /** What the check found; written as {@value #CHECK_FILE}. */
    record Check(@JsonProperty("model_sha256") String modelSha256, @JsonProperty("onnx_sha256") String onnxSha256,
                 int rows, @JsonProperty("largest_difference") double largestDifference, double tolerance) {
    }

    private TeacherExport() {
    }

    /** Largest difference between SameDiff's logits and ONNX Runtime's on the export, for {@code sample}. */
    static double engineDifference(ModelArtifact model, TeacherModel export, float[][] sample) {
        return Teachers.largestDifference(TeacherModel.sameDiff(model).open().logits(sample),
                export.open().logits(sample));
    }

    /** The export as labelling runs it: NCHW, the teacher's own shape. */
    static TeacherModel model(ModelArtifact model, byte[] onnx, String sha256) {
        var a = model.architecture();
        return TeacherModel.onnx(a.name(), onnx, sha256, TeacherModel.Layout.NCHW, a.channels(), a.height(),
                a.width());
    }

    /**
     * Exports the saved teacher at {@code modelFile} into {@code dir} and checks it on {@code sample}. Writes nothing
     * (and says so) when the export fails or misses the tolerance: label then repeats the check and reports it.
     */
    static Optional<Check> write(ModelArtifact model, Path modelFile, Path dir, float[][] sample,
                                 java.io.PrintStream console) {
        if (sample.length == 0) {
            console.printf("  no ONNX export kept for labelling: no usable prepared row to check it on%n");
            return Optional.empty();
        }
        byte[] onnx;
        double worst;
        String sha;
        try {
            onnx = OnnxExporter.toBytes(model);
            sha = ManifestIO.sha256(onnx);
            worst = engineDifference(model, model(model, onnx, sha), sample);
        } catch (DistilleryException e) {
            console.printf("  no ONNX export kept for labelling: %s%n", e.getMessage());
            return Optional.empty();
        }
        if (!(worst <= LabelStage.ENGINE_TOLERANCE)) {
            console.printf("  no ONNX export kept for labelling: its logits are up to %s away from SameDiff's on %d "
                    + "prepared rows (allowed: %s)%n", worst, sample.length, LabelStage.ENGINE_TOLERANCE);
            return Optional.empty();
        }
        Check check = new Check(ManifestIO.sha256(modelFile), sha, sample.length, worst, LabelStage.ENGINE_TOLERANCE);
        try {
            Files.write(dir.resolve(ONNX_FILE), onnx);
            ManifestIO.json().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CHECK_FILE).toFile(), check);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(check);
    }

    /**
     * The checked export of {@code model} beside its file, whose SHA-256 is {@code modelSha256}, as labelling runs
     * it, if train-teacher kept one for exactly that file and the export is unchanged since.
     */
    static Optional<TeacherModel> checked(ModelArtifact model, Path modelFile, String modelSha256) {
        Path dir = modelFile.toAbsolutePath().getParent();
        Path json = dir.resolve(CHECK_FILE);
        Path onnx = dir.resolve(ONNX_FILE);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(onnx)) {
            return Optional.empty();
        }
        try {
            Check check = ManifestIO.json().readValue(json.toFile(), Check.class);
            byte[] bytes = Files.readAllBytes(onnx);
            boolean same = modelSha256.equals(check.modelSha256()) && ManifestIO.sha256(bytes).equals(check.onnxSha256())
                    && check.largestDifference() <= LabelStage.ENGINE_TOLERANCE;
            return same ? Optional.of(model(model, bytes, check.onnxSha256())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();    // unreadable: export and check afresh
        }
    }
}
