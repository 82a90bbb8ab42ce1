package dev.distillery.student.mcu;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the figures of docs/deployment-c.md: exports integer students to C, measures them on the host and the three
 * Cortex-M cores with {@link McuToolchain}, checks every logit against the integer runtime, and prints one Markdown
 * row per variant and target. Run by bench/mcu-figures.sh.
 *
 * <p>Arguments: {@code --images N}, {@code --work DIR}, and either {@code --test-model} (the student of
 * CExportOnCortexMTest, int8 per-channel and int4 per-tensor) or one or more {@code .dint} files. Each variant's
 * C sources and integer model land in {@code DIR/export/<variant>/}.
 */
public final class McuFigures {
    private McuFigures() {
    }

    public static void main(String[] args) {
        int images = 200;
        Path work = Path.of("target/mcu-figures");
        Map<String, IntegerModel> variants = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--test-model" -> {
                    ModelArtifact trained = TestModels.trainedFloat(CExportOnCortexMTest.ARCH, 200);
                    variants.put("test_int8", convert(trained, 8, false));
                    variants.put("test_int4", convert(trained, 4, true));
                }
                default -> {
                    Path file = Path.of(args[i]);
                    String name = file.getFileName().toString().replaceAll("\\.dint$", "").replaceAll("[^A-Za-z0-9]", "_");
                    variants.put(name, IntegerModelIO.read(file));
                }
            }
        }
        float[][] x = FashionMnist.testImages(images);
        int[] y = FashionMnist.testLabels(images);
        McuToolchain toolchain = McuToolchain.in(work.resolve("build"));
        System.out.println("| variant | target | params | MACs | flash: constants + code (+ runtime library) | RAM: arena"
                + " + stack (painted) | instructions: invoke (min..max) | whole inference | per MAC | bit-identical |"
                + " accuracy |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, IntegerModel> v : variants.entrySet()) {
            IntegerModel model = v.getValue();
            describeShifts(v.getKey(), model);
            CExport export = CExporter.export(model, v.getKey(), work.resolve("export").resolve(v.getKey()));
            IntegerModelIO.write(model, export.directory().resolve(v.getKey() + ".dint"));
            float[][] expected = new IntegerRuntime(model).logits(x);
            for (McuTarget target : McuTarget.values()) {
                McuMeasurement m = toolchain.measure(export, target, x);
                if (!m.measured()) {
                    System.out.println("| " + v.getKey() + " | " + target.id() + " | not measured: missing "
                            + m.missingTool() + " |");
                    continue;
                }
                System.out.println(row(v.getKey(), model, m, expected, y));
            }
        }
    }

    private static String row(String name, IntegerModel model, McuMeasurement m, float[][] expected, int[] y) {
        int identical = 0;
        int correct = 0;
        for (int i = 0; i < expected.length; i++) {
            boolean same = true;
            for (int c = 0; c < expected[i].length; c++) {
                same &= Float.floatToRawIntBits(m.logits()[i][c]) == Float.floatToRawIntBits(expected[i][c]);
            }
            identical += same ? 1 : 0;
            correct += TestModels.argmax(m.logits()[i]) == y[i] ? 1 : 0;
        }
        long macs = model.architecture().macs();
        McuMeasurement.Instructions ins = m.instructions();
        String painted = m.ram().measuredStackBytes() >= 0 ? " (" + m.ram().measuredStackBytes() + ")" : "";
        return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,d + %,d (+ %,d) | %,d + %,d%s | %s | %s | %s | %d/%d | %.1f%% |",
                name, m.target().id(), model.architecture().parameterCount(), macs, m.flash().constantBytes(),
                m.flash().codeBytes(), m.flash().libraryBytes(), m.ram().arenaBytes(), m.ram().stackBytes(), painted,
                ins == null ? "-" : String.format(Locale.ROOT, "%,.0f (%,d..%,d)", ins.meanInvoke(), ins.minInvoke(),
                        ins.maxInvoke()),
                ins == null ? "-" : String.format(Locale.ROOT, "%,.0f", ins.meanPerInference()),
                ins == null ? "-" : String.format(Locale.ROOT, "%.2f", ins.meanInvoke() / macs),
                identical, expected.length, 100.0 * correct / expected.length);
    }

    /** The right shifts of each requantized layer: how often a double-rounding runtime may differ (docs). */
    private static void describeShifts(String name, IntegerModel model) {
        List<String> parts = new ArrayList<>();
        for (IntegerLayer layer : model.layers()) {
            if (!layer.requantized()) {
                continue;
            }
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int s : layer.shift()) {
                lo = Math.min(lo, 31 - s);
                hi = Math.max(hi, 31 - s);
            }
            parts.add("L" + layer.index() + " " + lo + (hi != lo ? ".." + hi : ""));
        }
        System.err.println(name + " (" + model.architecture().name() + "): right shifts " + String.join(", ", parts));
    }

    private static IntegerModel convert(ModelArtifact trained, int bits, boolean perTensor) {
        QuantSpec settings = new QuantSpec(bits, 8, Map.of(), Map.of(), perTensor, 8);
        QuantSpec spec = Calibration.calibrate(trained, FashionMnist.trainImages(500), settings,
                CalibrationMethod.MINMAX, 100.0);
        return IntegerConverter.convert(trained.withQuant(spec));
    }
}
