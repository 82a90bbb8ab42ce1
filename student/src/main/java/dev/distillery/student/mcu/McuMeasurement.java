package dev.distillery.student.mcu;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What one exported variant costs on one target: flash, RAM and executed instructions per inference, with the
 * logits it computed; or, when a tool is missing, only which one ({@link #missingTool()}).
 *
 * @param variant      the C prefix of the exported variant
 * @param missingTool  the missing tool and the package that provides it; null when measured
 * @param flash        null when not measured
 * @param ram          null when not measured
 * @param instructions null for the host (not emulated) and when not measured
 * @param logits       per input row, the logits the build computed; null when not measured
 */
public record McuMeasurement(String variant, McuTarget target, String missingTool, Flash flash, Ram ram,
                             Instructions instructions, float[][] logits) {

    /**
     * Flash taken by the model, read from the linked ELF's symbol table.
     *
     * @param constantBytes  the model's read-only data: weights, biases, requantization parameters, layer tables and
     *                       logit scales
     * @param codeBytes      the model's functions: kernels and API
     * @param libraryCalls   functions of the C or compiler runtime the model's object calls (soft double on the
     *                       Cortex-M4F, for example)
     * @param libraryBytes   the size of those functions in the ELF
     */
    public record Flash(long constantBytes, long codeBytes, List<String> libraryCalls, long libraryBytes) {
        public Flash {
            libraryCalls = List.copyOf(libraryCalls);
        }

        /** Constants and code of the model itself. */
        public long modelBytes() {
            return constantBytes + codeBytes;
        }
    }

    /**
     * RAM taken by one inference.
     *
     * @param arenaBytes          the static activation arena
     * @param stackBytes          the deepest stack of the model's call chains (quantize_input, invoke, logits) from
     *                            the compiler's stack-usage and call-graph files; calls into the runtime library
     *                            count as 0
     * @param measuredStackBytes  the deepest stack invoke actually used on the emulated core (stack painting); -1
     *                            where not measured (the host)
     * @param unboundedFunctions  model functions whose frame the compiler could not bound (dynamic stack); empty when
     *                            {@code stackBytes} is exact
     */
    public record Ram(long arenaBytes, long stackBytes, long measuredStackBytes, List<String> unboundedFunctions) {
        public Ram {
            unboundedFunctions = List.copyOf(unboundedFunctions);
        }

        public long totalBytes() {
            return arenaBytes + stackBytes;
        }
    }

    /**
     * Instructions executed per input row for each of the three calls, counted by a QEMU plugin between markers
     * (the cost of the markers themselves subtracted).
     */
    public record Instructions(long[] quantize, long[] invoke, long[] logits) {
        public Instructions {
            if (quantize.length != invoke.length || logits.length != invoke.length) {
                throw new IllegalArgumentException("instruction counts of " + quantize.length + ", " + invoke.length
                        + " and " + logits.length + " rows");
            }
            quantize = quantize.clone();
            invoke = invoke.clone();
            logits = logits.clone();
        }

        /** Mean instructions of one whole inference: quantize, invoke and logits. */
        public double meanPerInference() {
            return mean(quantize) + mean(invoke) + mean(logits);
        }

        public double meanInvoke() {
            return mean(invoke);
        }

        public long minInvoke() {
            return Arrays.stream(invoke).min().orElse(0);
        }

        public long maxInvoke() {
            return Arrays.stream(invoke).max().orElse(0);
        }

        private static double mean(long[] v) {
            return Arrays.stream(v).average().orElse(0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Instructions i && Arrays.equals(quantize, i.quantize) && Arrays.equals(invoke, i.invoke)
                    && Arrays.equals(logits, i.logits);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(quantize), Arrays.hashCode(invoke), Arrays.hashCode(logits));
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Instructions[invoke mean %.0f (%d..%d), per inference %.0f, %d rows]",
                    meanInvoke(), minInvoke(), maxInvoke(), meanPerInference(), invoke.length);
        }
    }

    /** A measurement that could not run because {@code tool} is missing. */
    public static McuMeasurement missing(String variant, McuTarget target, String tool) {
        return new McuMeasurement(variant, target, tool, null, null, null, null);
    }

    public boolean measured() {
        return missingTool == null;
    }

    @Override
    public String toString() {
        if (!measured()) {
            return "McuMeasurement[" + variant + " on " + target.id() + ": not measured, missing " + missingTool + "]";
        }
        return "McuMeasurement[" + variant + " on " + target.id() + ": " + flash + ", " + ram + ", " + instructions
                + ", " + logits.length + " rows]";
    }
}
