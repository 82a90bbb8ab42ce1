package dev.distillery.evaluation.profile;

import dev.distillery.core.error.InvalidConfigException;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a device's toolchain accepts and how Distillery measures it: the artifact format it compiles or loads, the
 * operators whose integer weights it takes only with one scale per tensor (and the rule that says so), and, for a
 * microcontroller, the Cortex-M core its C build is measured on in an emulator with the clock that turns measured
 * instructions into a latency estimate.
 *
 * @param perTensorRule        the toolchain's own rule behind {@code perTensorWeights}, quoted in gate failures
 * @param core                 emulated core id ({@code cortex-m4f}, {@code cortex-m7}, {@code cortex-m55}); empty
 *                             when the device is not a Cortex-M the C export can be measured on
 * @param clockHz              core clock in Hz; set exactly when {@code core} is
 * @param cyclesPerInstruction assumed average cycles per instruction of integer kernels on that core (memory wait
 *                             states and multi-cycle multiplies included); set exactly when {@code core} is
 */
public record Toolchain(DeployFormat format, Set<Operator> perTensorWeights, String perTensorRule,
                        Optional<String> core, double clockHz, double cyclesPerInstruction) {
    /** Cores the C export is built for and run on in QEMU. */
    public static final Set<String> CORES = Set.of("cortex-m4f", "cortex-m7", "cortex-m55");

    /** The toolchain of a profile that does not describe one: ONNX, every granularity, nothing emulated. */
    public static final Toolchain DEFAULT = new Toolchain(DeployFormat.ONNX, Set.of(), "", Optional.empty(), 0, 0);

    public Toolchain {
        if (format == null) {
            throw new InvalidConfigException("toolchain.format is missing");
        }
        perTensorWeights = perTensorWeights == null || perTensorWeights.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(perTensorWeights));
        perTensorRule = perTensorRule == null ? "" : perTensorRule.strip();
        if (!perTensorWeights.isEmpty() && perTensorRule.isEmpty()) {
            throw new InvalidConfigException("toolchain.per_tensor_rule must say which rule of the toolchain requires "
                    + "per-tensor weights for " + perTensorWeights);
        }
        core = core == null ? Optional.empty() : core;
        if (core.isPresent()) {
            if (!CORES.contains(core.get())) {
                throw new InvalidConfigException("toolchain.core must be one of " + new java.util.TreeSet<>(CORES)
                        + ", was " + core.get());
            }
            if (!(clockHz > 0) || Double.isInfinite(clockHz)) {
                throw new InvalidConfigException("toolchain.clock_hz must be a finite number > 0 when toolchain.core "
                        + "is set, was " + clockHz);
            }
            if (!(cyclesPerInstruction > 0) || Double.isInfinite(cyclesPerInstruction)) {
                throw new InvalidConfigException("toolchain.cycles_per_instruction must be a finite number > 0 when "
                        + "toolchain.core is set, was " + cyclesPerInstruction);
            }
        } else if (clockHz != 0 || cyclesPerInstruction != 0) {
            throw new InvalidConfigException("toolchain.clock_hz and toolchain.cycles_per_instruction apply to an "
                    + "emulated core only; set toolchain.core or remove them");
        }
    }

    /** Whether integer weights of {@code op} must carry a single scale for this toolchain. */
    public boolean needsPerTensor(Operator op) {
        return perTensorWeights.contains(op);
    }
}
