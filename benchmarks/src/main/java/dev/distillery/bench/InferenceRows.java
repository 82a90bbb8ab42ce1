package dev.distillery.bench;

import dev.distillery.core.data.IdxReader;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ParamInit;
import dev.distillery.engine.samediff.NativeSettings;
import dev.distillery.engine.samediff.SameDiffNet;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * SameDiff inference as the trainer's validation pass and evaluate's fake-quantized pass call it: the default
 * teacher or student (seeded He initialisation) over Fashion-MNIST's 10,000 test images, {@code rows} rows per
 * {@code logits} call, on the calling thread. Usage: {@code InferenceRows <fashion-mnist dir> <teacher|student>
 * <rows per call> <passes>}. Prints {@code RESULT inference <model> <rows per call> <pass> <rows/s> <checksum>} per
 * pass; the checksum (the sum of every call's first logit) is the same for every pass.
 */
public final class InferenceRows {
    private InferenceRows() {
    }

    public static void main(String[] args) {
        NativeSettings.useJvmDefaults();
        Path dir = Path.of(args[0]);
        String model = args[1];
        int rows = Integer.parseInt(args[2]);
        int passes = Integer.parseInt(args[3]);
        float[][] x = IdxReader.readImages(dir.resolve("t10k-images-idx3-ubyte.gz"));
        if (!model.equals("teacher") && !model.equals("student")) {
            throw new IllegalArgumentException("model must be teacher or student, was " + model);
        }
        Architecture arch = StepProfile.defaultArchitecture(StepProfile.defaultConfig(), model.equals("teacher"));
        SameDiffNet net = SameDiffNet.forInference(arch, ParamInit.he(arch, 42), GraphHooks.NONE);
        for (int pass = 1; pass <= passes; pass++) {
            long t0 = System.nanoTime();
            double checksum = 0;
            for (int from = 0; from < x.length; from += rows) {
                checksum += net.logits(Arrays.copyOfRange(x, from, Math.min(x.length, from + rows)))[0][0];
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("RESULT inference %s %d %d %.0f %.6f%n", model, rows, pass, x.length / seconds, checksum);
        }
        System.exit(0);
    }
}
