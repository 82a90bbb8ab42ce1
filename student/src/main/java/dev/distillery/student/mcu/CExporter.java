package dev.distillery.student.mcu;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.student.quant.IntegerModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Exports an {@link IntegerModel} as C99 for microcontrollers: {@code <prefix>.h} with the API and the input's
 * quantization parameters, and a self-contained {@code <prefix>.c} with const weights (flash), one static activation
 * arena sized by the tensor-lifetime planner, and integer kernels whose logits are bit-identical to
 * {@code IntegerRuntime}'s. The kernels are static in each source, so any number of exported variants link into one
 * firmware without clashing and each source compiles alone.
 */
public final class CExporter {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Set<String> KEYWORDS = Set.of("auto", "break", "case", "char", "const", "continue",
            "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
            "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
            "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary");

    private CExporter() {
    }

    /** Generates the header and source text; refuses, naming the layer, anything the C kernels cannot run. */
    public static CSource generate(IntegerModel model, String prefix) {
        checkPrefix(prefix);
        CPlan plan = CPlan.of(model);
        CSourceWriter writer = new CSourceWriter(plan, prefix);
        return new CSource(prefix, writer.header(), writer.source(), plan.arenaBytes());
    }

    /**
     * Writes {@code <prefix>.h} and {@code <prefix>.c} into {@code directory}, which is staged as a hidden sibling
     * and renamed into place (replacing an earlier export), so an interrupted export never leaves a folder that
     * looks complete. Everything is checked before the first byte is written.
     */
    public static CExport export(IntegerModel model, String prefix, Path directory) {
        CSource source = generate(model, prefix);
        Path target = directory.toAbsolutePath().normalize();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path staging = target.resolveSibling("." + target.getFileName() + ".tmp-" + tag);
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + tag);
        try {
            Files.createDirectories(target.getParent());
            Files.createDirectory(staging);
            try {
                Files.writeString(staging.resolve(prefix + ".h"), source.header(), StandardCharsets.UTF_8);
                Files.writeString(staging.resolve(prefix + ".c"), source.source(), StandardCharsets.UTF_8);
                boolean replacing = Files.exists(target);
                if (replacing) {
                    move(target, old);
                }
                try {
                    move(staging, target);
                } catch (IOException e) {
                    if (replacing) {
                        move(old, target);
                    }
                    throw e;
                }
                if (replacing) {
                    deleteTree(old);
                }
            } finally {
                deleteTree(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export C sources of " + model.architecture().name() + " to "
                    + target, e);
        }
        return new CExport(target, prefix, source.arenaBytes());
    }

    private static void checkPrefix(String prefix) {
        if (prefix == null || !IDENTIFIER.matcher(prefix).matches() || KEYWORDS.contains(prefix)) {
            throw new InvalidConfigException("C prefix \"" + prefix + "\" is not usable: it must be a C identifier "
                    + "starting with a letter (letters, digits, underscores) and not a keyword, e.g. student_int8");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
