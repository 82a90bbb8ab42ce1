package dev.distillery.student.mcu;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The CI rule for tests that need external tools: with CI=true a missing tool fails the test; elsewhere the test
 * is skipped with a message that names the tool and its package.
 */
final class RequiredTools {
    private RequiredTools() {
    }

    static void require(McuToolchain toolchain, McuTarget target) {
        Optional<String> missing = toolchain.missingTool(target);
        if (missing.isEmpty()) {
            return;
        }
        String message = "building for " + target.id() + " needs " + missing.get();
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: the tool must be installed)");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /** A toolchain building under the test's temporary folder. */
    static McuToolchain toolchain(Path tempDir) {
        return McuToolchain.in(tempDir.resolve("mcu-work"));
    }
}
