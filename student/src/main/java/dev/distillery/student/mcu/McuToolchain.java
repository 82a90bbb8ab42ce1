package dev.distillery.student.mcu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Builds an exported model with a real toolchain and measures it: the host build (gcc, run natively) and the
 * Cortex-M builds (arm-none-eabi-gcc with newlib's semihosting library, run on {@code qemu-system-arm} with an
 * instruction-counting plugin compiled from this jar). Each measurement reads the linked ELF's symbol table for
 * flash, gcc's stack-usage call graph for RAM, and the plugin's snapshots for instructions per inference.
 *
 * <p>A missing tool is not an error: {@link #measure} returns a measurement that names it. Measurements of different
 * variants or targets may run concurrently; each builds in its own folder.
 */
public final class McuToolchain {
    private static final String RESOURCES = "/dev/distillery/student/mcu/";
    private static final List<String> WARNINGS = List.of("-std=c99", "-Wall", "-Wextra", "-Werror");
    private static final List<String> OPTIMISE = List.of("-O2", "-ffunction-sections", "-fdata-sections");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(2);
    /** Marks per input row in bench_main.c: around quantize_input, invoke, and logits. */
    private static final int MARKS_PER_ROW = 5;

    private final Path work;
    private final String searchPath;
    private Path plugin;

    private McuToolchain(Path work, String searchPath) {
        this.work = work;
        this.searchPath = searchPath == null ? "" : searchPath;
    }

    /** A toolchain that builds under {@code workDirectory}, one folder per variant and target. */
    public static McuToolchain in(Path workDirectory) {
        return new McuToolchain(workDirectory.toAbsolutePath(), System.getenv("PATH"));
    }

    /** The same, looking for the tools in {@code searchPath} (a PATH-style list) instead of the PATH. */
    static McuToolchain in(Path workDirectory, String searchPath) {
        return new McuToolchain(workDirectory.toAbsolutePath(), searchPath);
    }

    /** The first tool {@code target} needs that is not installed, with the Debian package that provides it. */
    public Optional<String> missingTool(McuTarget target) {
        List<String[]> tools = new ArrayList<>();
        tools.add(new String[]{"gcc", "gcc"});
        if (target.emulated()) {
            tools.add(new String[]{"arm-none-eabi-gcc", "gcc-arm-none-eabi"});
            tools.add(new String[]{"arm-none-eabi-nm", "binutils-arm-none-eabi"});
            tools.add(new String[]{"qemu-system-arm", "qemu-system-arm"});
        } else {
            tools.add(new String[]{"nm", "binutils"});
        }
        for (String[] t : tools) {
            if (!Commands.onPath(t[0], searchPath)) {
                return Optional.of(t[0] + " (Debian package " + t[1] + ")");
            }
        }
        if (target.emulated() && !hasNewlib(target)) {
            return Optional.of("newlib's semihosting library librdimon.a for " + String.join(" ", target.cpuFlags())
                    + " (Debian package libnewlib-arm-none-eabi)");
        }
        return Optional.empty();
    }

    /**
     * Builds {@code export} for {@code target}, runs it on every row of {@code inputs} (values the model's input
     * quantization expects) and measures it; or names the missing tool.
     */
    public McuMeasurement measure(CExport export, McuTarget target, float[][] inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("measuring " + export.prefix() + " needs at least one input row");
        }
        Optional<String> missing = missingTool(target);
        if (missing.isPresent()) {
            return McuMeasurement.missing(export.prefix(), target, missing.get());
        }
        Path dir = work.resolve(export.prefix() + "-" + target.id());
        try {
            recreate(dir);
            Path elf = build(export, target, dir);
            ElfSymbols symbols = ElfSymbols.parse(Commands.run(List.of(target.nm(), "-S", "--defined-only",
                    elf.toString()), dir, BUILD_TIMEOUT));
            McuMeasurement.Flash flash = flash(export.prefix(), target, dir, symbols);
            writeInputs(dir.resolve("input.bin"), inputs);
            String stdout = run(target, dir, elf, symbols, inputs.length);
            McuMeasurement.Ram ram = ram(export.prefix(), dir, symbols, stdout, target);
            McuMeasurement.Instructions counts = target.emulated()
                    ? McuCounts.parse(Files.readAllLines(dir.resolve("counts.txt")), inputs.length, MARKS_PER_ROW)
                    : null;
            return new McuMeasurement(export.prefix(), target, null, flash, ram, counts,
                    readLogits(dir.resolve("output.bin"), inputs.length));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + export.prefix() + " on " + target.id() + " in " + dir, e);
        }
    }

    private Path build(CExport export, McuTarget target, Path dir) throws IOException {
        copyResource("bench_main.c", dir);
        List<String> cc = new ArrayList<>();
        cc.add(target.compiler());
        cc.addAll(target.cpuFlags());
        List<String> model = new ArrayList<>(cc);
        model.addAll(WARNINGS);
        model.add("-pedantic");
        model.addAll(OPTIMISE);
        model.addAll(List.of("-fstack-usage", "-fcallgraph-info=su", "-c", export.source().toString(), "-o", "model.o"));
        Commands.run(model, dir, BUILD_TIMEOUT);
        List<String> bench = new ArrayList<>(cc);
        bench.addAll(WARNINGS);
        bench.addAll(OPTIMISE);
        bench.addAll(List.of("-I", export.directory().toString(), "-DMODEL_HEADER=\"" + export.prefix() + ".h\"",
                "-DMODEL_PREFIX=" + export.prefix(), "-DMODEL_MACRO=" + export.prefix().toUpperCase(Locale.ROOT),
                "-c", "bench_main.c", "-o", "bench_main.o"));
        Commands.run(bench, dir, BUILD_TIMEOUT);
        List<String> link = new ArrayList<>(cc);
        if (target.emulated()) {
            copyResource("startup.c", dir);
            copyResource(target.linkerScript(), dir);
            copyResource("mcu-sections.ld", dir);
            List<String> startup = new ArrayList<>(cc);
            startup.addAll(WARNINGS);
            startup.addAll(OPTIMISE);
            startup.addAll(List.of("-c", "startup.c", "-o", "startup.o"));
            Commands.run(startup, dir, BUILD_TIMEOUT);
            link.addAll(List.of("--specs=rdimon.specs", "-nostartfiles", "-Wl,--gc-sections", "-L", dir.toString(),
                    "-T", target.linkerScript(), "startup.o"));
        } else {
            link.add("-Wl,--gc-sections");
        }
        link.addAll(List.of("bench_main.o", "model.o", "-o", "bench.elf"));
        Commands.run(link, dir, BUILD_TIMEOUT);
        return dir.resolve("bench.elf");
    }

    private static McuMeasurement.Flash flash(String prefix, McuTarget target, Path dir, ElfSymbols symbols) {
        long constants = 0;
        long code = 0;
        for (ElfSymbols.Symbol s : symbols.ofModel(prefix)) {
            if (s.code()) {
                code += s.size();
            } else if (s.constant()) {
                constants += s.size();
            }
        }
        List<String> calls = new ArrayList<>();
        long libraryBytes = 0;
        for (String line : Commands.run(List.of(target.nm(), "-u", "model.o"), dir, BUILD_TIMEOUT).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("U")) {
                calls.add(f[1]);
                libraryBytes += symbols.sizeOf(f[1]);
            }
        }
        return new McuMeasurement.Flash(constants, code, calls, libraryBytes);
    }

    private static McuMeasurement.Ram ram(String prefix, Path dir, ElfSymbols symbols, String stdout, McuTarget target)
            throws IOException {
        CallGraphStack graph = new CallGraphStack(Files.readString(dir.resolve("model.ci")));
        long stack = 0;
        Set<String> unbounded = new TreeSet<>();
        for (String entry : List.of("_quantize_input", "_invoke", "_logits")) {
            CallGraphStack.Depth d = graph.deepest(prefix + entry);
            stack = Math.max(stack, d.bytes());
            unbounded.addAll(d.unbounded());
        }
        long measured = -1;
        if (target.emulated()) {
            measured = stdout.lines().filter(l -> l.startsWith("stack ")).mapToLong(l -> Long.parseLong(l.substring(6)
                    .trim())).findFirst().orElseThrow(() -> new McuToolException("the measurement program printed no "
                    + "stack depth:\n" + stdout, false));
        }
        return new McuMeasurement.Ram(symbols.require(prefix + "_arena").size(), stack, measured,
                new ArrayList<>(unbounded));
    }

    private String run(McuTarget target, Path dir, Path elf, ElfSymbols symbols, int rows) {
        List<String> command = new ArrayList<>();
        if (target.emulated()) {
            long marker = symbols.require("bench_mark").address() & ~1L;
            command.addAll(List.of("qemu-system-arm", "-M", target.machine(), "-nographic", "-semihosting",
                    "-kernel", elf.toString(), "-plugin", plugin() + ",marker=0x" + Long.toHexString(marker)
                            + ",out=counts.txt"));
        } else {
            command.add(elf.toString());
        }
        Duration timeout = Duration.ofSeconds(120 + rows / 5);
        Commands.Result r = Commands.runAllowingFailure(command, dir, timeout);
        if (r.exit() != 0) {
            throw new McuToolException("the measurement program on " + target.id() + " exited with " + r.exit()
                    + (r.exit() == 134 ? " (a fault on the emulated core)" : "") + ": `" + String.join(" ", command)
                    + "` in " + dir + "\n" + r.output(), false);
        }
        return r.output();
    }

    /** The counting plugin, compiled once per toolchain with the host compiler. */
    private synchronized Path plugin() {
        if (plugin == null) {
            try {
                Path dir = work.resolve("qemu-plugin");
                recreate(dir);
                copyResource("icount.c", dir);
                Commands.run(List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC",
                        "-fvisibility=hidden", "icount.c", "-o", "icount.so"), dir, BUILD_TIMEOUT);
                plugin = dir.resolve("icount.so");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build the instruction-counting plugin under " + work, e);
            }
        }
        return plugin;
    }

    private boolean hasNewlib(McuTarget target) {
        List<String> command = new ArrayList<>();
        command.add(target.compiler());
        command.addAll(target.cpuFlags());
        command.add("-print-file-name=librdimon.a");
        try {
            Files.createDirectories(work);
            String path = Commands.runAllowingFailure(command, work, BUILD_TIMEOUT).output().trim();
            return Path.of(path).isAbsolute() && Files.exists(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + work, e);
        }
    }

    private static void writeInputs(Path file, float[][] inputs) throws IOException {
        int width = inputs.length == 0 ? 0 : inputs[0].length;
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * inputs.length * width).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(inputs.length).putInt(width);
        for (float[] row : inputs) {
            if (row.length != width) {
                throw new IllegalArgumentException("input rows must all have " + width + " values, one has "
                        + row.length);
            }
            for (float v : row) {
                b.putFloat(v);
            }
        }
        Files.write(file, b.array());
    }

    private static float[][] readLogits(Path file, int rows) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (rows == 0) {
            return new float[0][];
        }
        int classes = bytes.length / 4 / rows;
        if (classes * 4 * rows != bytes.length) {
            throw new McuToolException(file + " holds " + bytes.length + " bytes, not whole logits of " + rows + " rows",
                    false);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[][] out = new float[rows][classes];
        for (float[] row : out) {
            for (int c = 0; c < classes; c++) {
                row[c] = b.getFloat();
            }
        }
        return out;
    }

    private static void copyResource(String name, Path dir) throws IOException {
        try (InputStream in = McuToolchain.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCES + name + " is missing from the student jar");
            }
            Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    private static void recreate(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }

    @Override
    public String toString() {
        return "McuToolchain[" + work + ", targets " + Arrays.toString(McuTarget.values()) + "]";
    }
}
