package dev.distillery.evaluation.report;

import java.util.Objects;

/**
 * A variant's C build measured on an emulated Cortex-M core: flash read from the linked ELF (the model's constants
 * and the kernel code), RAM as the static activation arena plus the deepest stack of the inference call chain
 * (from the compiler's stack-usage files), and the exact count of instructions one inference executes.
 *
 * @param core    {@code cortex-m4f}, {@code cortex-m7} or {@code cortex-m55}
 * @param machine the QEMU machine it ran on, e.g. {@code mps2-an386}
 */
public record DeviceMeasurement(String variant, String core, String machine, long flashWeightBytes,
                                long flashCodeBytes, long arenaBytes, long stackBytes,
                                long instructionsPerInference) {

    public DeviceMeasurement {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(core, "core");
        Objects.requireNonNull(machine, "machine");
        if (flashWeightBytes < 0 || flashCodeBytes < 0 || arenaBytes < 0 || stackBytes < 0
                || instructionsPerInference <= 0) {
            throw new IllegalArgumentException("measurement of " + variant + " on " + core
                    + " needs non-negative sizes and a positive instruction count, was flash " + flashWeightBytes
                    + " + " + flashCodeBytes + ", RAM " + arenaBytes + " + " + stackBytes + ", instructions "
                    + instructionsPerInference);
        }
    }

    public long flashBytes() {
        return flashWeightBytes + flashCodeBytes;
    }

    public long ramBytes() {
        return arenaBytes + stackBytes;
    }
}
