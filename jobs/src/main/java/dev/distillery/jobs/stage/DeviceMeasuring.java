package dev.distillery.jobs.stage;

import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.report.DeviceMeasurement;
import dev.distillery.student.mcu.CExport;
import dev.distillery.student.mcu.McuMeasurement;
import dev.distillery.student.mcu.McuTarget;
import dev.distillery.student.mcu.McuToolchain;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.runtime.IntegerRuntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Builds the C export of every integer variant for the Cortex-M cores the configured profiles name, runs it on
 * test images in QEMU, checks its logits bit for bit against the integer runtime, and returns flash, RAM and
 * instructions per inference for the report. Missing tools skip the measurement with a message, never the stage.
 */
final class DeviceMeasuring {
    /** Test images each build runs: instruction counts are exact, so a few rows give the mean per inference. */
    static final int IMAGES = 16;
    /** Builds and emulator runs at a time. */
    static final int PARALLEL_BUILDS = 2;

    /** The measurements, and why some were skipped (empty when none was). */
    record Result(List<DeviceMeasurement> measurements, List<String> skipped) {
    }

    private DeviceMeasuring() {
    }

    static Result measure(StageContext ctx, Path exportDir, ExportedArtifacts index, List<HardwareProfile> profiles,
                          float[][] testImages) {
        Set<McuTarget> targets = new LinkedHashSet<>();
        for (HardwareProfile p : profiles) {
            p.toolchain().core().flatMap(DeviceMeasuring::target).ifPresent(targets::add);
        }
        List<DeviceMeasurement> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (targets.isEmpty()) {
            return new Result(out, skipped);
        }
        float[][] images = Arrays.copyOf(testImages, Math.min(IMAGES, testImages.length));
        Path build = tempDir();
        // builds and emulator runs are separate processes, each in its own folder: two at a time keep both cores
        // busy; instruction counts are exact, so running side by side changes no figure
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_BUILDS);
        try {
            McuToolchain toolchain = McuToolchain.in(build);
            List<Future<DeviceMeasurement>> pending = new ArrayList<>();
            for (McuTarget target : targets) {
                Optional<String> missing = toolchain.missingTool(target);
                if (missing.isPresent()) {
                    skipped.add(target.id() + ": " + missing.get() + " is not installed");
                    ctx.console().printf("  evaluate: C builds for %s not measured: %s is not installed%n",
                            target.id(), missing.get());
                    continue;
                }
                for (ExportedArtifacts.Entry e : index.variants()) {
                    String header = e.files().get("c_header");
                    if (header != null) {
                        pending.add(pool.submit(() -> measure(toolchain, exportDir, e, header, target, images)));
                    }
                }
            }
            Map<String, Integer> perTarget = new LinkedHashMap<>();
            for (Future<DeviceMeasurement> f : pending) {
                DeviceMeasurement m = Futures.get(f, "measuring C builds");
                out.add(m);
                perTarget.merge(m.core(), 1, Integer::sum);
            }
            for (McuTarget target : targets) {
                if (perTarget.containsKey(target.id())) {
                    ctx.console().printf("  evaluate: %d C build(s) measured on %s (QEMU %s)%n",
                            perTarget.get(target.id()), target.id(), target.machine());
                }
            }
        } finally {
            // after a failure the other build may still be running (the interrupt kills its tool): let it stop
            // before its folder is deleted
            Futures.stop(pool);
            deleteTree(build);
        }
        return new Result(out, skipped);
    }

    private static DeviceMeasurement measure(McuToolchain toolchain, Path exportDir, ExportedArtifacts.Entry e,
                                             String header, McuTarget target, float[][] images) {
        IntegerModel model = IntegerModelIO.read(exportDir.resolve(e.files().get("dint")));
        Path dir = exportDir.resolve(header).getParent();
        String prefix = ExportStage.cPrefix(e.variant());
        McuMeasurement m = toolchain.measure(new CExport(dir, prefix, 0), target, images);
        requireBitIdentical(e.variant(), target, m, new IntegerRuntime(model).logits(images));
        return new DeviceMeasurement(e.variant(), target.id(), target.machine(),
                m.flash().constantBytes(), m.flash().codeBytes() + m.flash().libraryBytes(),
                m.ram().arenaBytes(), m.ram().stackBytes(),
                Math.round(m.instructions().meanPerInference()));
    }

    private static Optional<McuTarget> target(String core) {
        return McuTarget.cores().stream().filter(t -> t.id().equals(core)).findFirst();
    }

    /** The device code is only worth measuring if it computes what the integer runtime computes. */
    private static void requireBitIdentical(String variant, McuTarget target, McuMeasurement m, float[][] expected) {
        for (int i = 0; i < expected.length; i++) {
            for (int c = 0; c < expected[i].length; c++) {
                if (Float.floatToRawIntBits(m.logits()[i][c]) != Float.floatToRawIntBits(expected[i][c])) {
                    throw new IllegalStateException("the C build of " + variant + " on " + target.id() + " computed "
                            + m.logits()[i][c] + " for logit " + c + " of test image " + i + ", the integer runtime "
                            + expected[i][c]);
                }
            }
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("distillery-mcu-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a build folder left in the temporary directory is harmless
        }
    }
}
