package dev.distillery.core.train;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.distillery.core.io.AtomicFiles;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where an interrupted training run continues: the newest complete epoch checkpoint (parameters and optimizer
 * state) and the best checkpoint so far. A checkpoint is complete when its model file exists; the optimizer
 * file is written before it.
 */
public record ResumePoint(int epochsDone, float[] params, float[] optimizerState, ModelArtifact best, int bestEpoch,
                          double bestAccuracy) {

    private static final Pattern NAME = Pattern.compile("(.+)-epoch-(\\d{3})\\.dmodel");

    public static Path modelFile(Path dir, String run, int epoch) {
        return dir.resolve(String.format("%s-epoch-%03d.dmodel", run, epoch));
    }

    public static Path optimizerFile(Path dir, String run, int epoch) {
        return dir.resolve(String.format("%s-epoch-%03d.optim", run, epoch));
    }

    /** The resume point of {@code run} in a checkpoint folder, empty when no complete checkpoint exists. */
    public static Optional<ResumePoint> find(Path dir, String run) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        int latest = 0;
        int bestEpoch = 0;
        double bestAcc = -1;
        ModelArtifact best = null;
        ModelArtifact last = null;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (!m.matches() || !m.group(1).equals(run) || !Files.exists(optimizerFile(dir, run,
                        Integer.parseInt(m.group(2))))) {
                    continue;
                }
                int epoch = Integer.parseInt(m.group(2));
                ModelArtifact model = ModelIO.read(f);
                double acc = Double.parseDouble(model.metadata().getOrDefault("validation_accuracy", "-1"));
                if (acc > bestAcc) {
                    bestAcc = acc;
                    bestEpoch = epoch;
                    best = model;
                }
                if (epoch > latest) {
                    latest = epoch;
                    last = model;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (latest == 0) {
            return Optional.empty();
        }
        return Optional.of(new ResumePoint(latest, SparkTrainer.flat(last), readFloats(optimizerFile(dir, run, latest)),
                best, bestEpoch, bestAcc));
    }

    static void writeFloats(Path file, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        AtomicFiles.write(file, buf.array());
    }

    static float[] readFloats(Path file) {
        try {
            byte[] raw = Files.readAllBytes(file);
            float[] out = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one epoch's checkpoint: optimizer state first, then the model file that marks it complete. */
    public static void write(Path dir, String run, int epoch, ModelArtifact model, float[] optimizerState) {
        writeFloats(optimizerFile(dir, run, epoch), optimizerState);
        ModelIO.write(model, modelFile(dir, run, epoch));
    }
}
