package dev.distillery.student.mcu;

import java.util.List;

/**
 * A build of the exported C: the host compiler (plain C99, run natively: the bit-identity check), or a Cortex-M core
 * built with arm-none-eabi-gcc and run on QEMU's model of an Arm MPS2/MPS3 board.
 */
public enum McuTarget {
    HOST("host", "gcc", List.of(), null, null),
    CORTEX_M4F("cortex-m4f", "arm-none-eabi-gcc",
            List.of("-mthumb", "-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"), "mps2-an386", "mps2.ld"),
    /** QEMU's Cortex-M7 has the double-precision FPU, so the logits' double multiply runs in hardware. */
    CORTEX_M7("cortex-m7", "arm-none-eabi-gcc",
            List.of("-mthumb", "-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"), "mps2-an500", "mps2.ld"),
    /** Helium (MVE) and the double-precision FPU are part of -mcpu=cortex-m55; QEMU 7.2 runs both. */
    CORTEX_M55("cortex-m55", "arm-none-eabi-gcc",
            List.of("-mthumb", "-mcpu=cortex-m55", "-mfloat-abi=hard"), "mps3-an547", "mps3-an547.ld");

    private final String id;
    private final String compiler;
    private final List<String> cpuFlags;
    private final String machine;
    private final String linkerScript;

    McuTarget(String id, String compiler, List<String> cpuFlags, String machine, String linkerScript) {
        this.id = id;
        this.compiler = compiler;
        this.cpuFlags = cpuFlags;
        this.machine = machine;
        this.linkerScript = linkerScript;
    }

    /** The name used in reports and folder names, e.g. {@code cortex-m4f}. */
    public String id() {
        return id;
    }

    public String compiler() {
        return compiler;
    }

    /** The symbol-table tool of the same binutils as the compiler. */
    public String nm() {
        return emulated() ? "arm-none-eabi-nm" : "nm";
    }

    public List<String> cpuFlags() {
        return cpuFlags;
    }

    /** The {@code qemu-system-arm -M} machine; null for the host. */
    public String machine() {
        return machine;
    }

    /** The linker script resource; null for the host. */
    public String linkerScript() {
        return linkerScript;
    }

    public boolean emulated() {
        return machine != null;
    }

    /** The Cortex-M cores, in the order reports list them. */
    public static List<McuTarget> cores() {
        return List.of(CORTEX_M4F, CORTEX_M7, CORTEX_M55);
    }
}
