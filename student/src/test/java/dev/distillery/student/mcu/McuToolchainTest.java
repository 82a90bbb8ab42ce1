package dev.distillery.student.mcu;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class McuToolchainTest {
    @TempDir
    Path tmp;

    private CExport export() {
        Architecture arch = new Architecture("tiny", 1, 2, 2, 2, List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(2)));
        IntegerLayer dense = new IntegerLayer(1, new byte[]{1, 2, 3, 4, 5, 6, 7, 8}, new int[2], new float[]{1f, 1f},
                1.0 / 255, 0, new int[0], new int[0]);
        return CExporter.export(new IntegerModel(arch, 8, 8, 1.0 / 255, List.of(dense), Map.of()), "tiny",
                tmp.resolve("tiny"));
    }

    @Test
    void namesTheMissingToolAndItsPackageInsteadOfFailing() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        CExport export = export();
        float[][] rows = {{0f, 0.5f, 1f, 0.25f}};

        McuMeasurement nothing = McuToolchain.in(tmp.resolve("work"), tmp.resolve("empty").toString())
                .measure(export, McuTarget.CORTEX_M4F, rows);
        Path gcc = bin.resolve("gcc");
        Files.writeString(gcc, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(gcc, PosixFilePermissions.fromString("rwxr-xr-x"));
        McuToolchain onlyGcc = McuToolchain.in(tmp.resolve("work"), bin.toString());

        assertThat(nothing.measured()).isFalse();
        assertThat(nothing.missingTool()).isEqualTo("gcc (Debian package gcc)");
        assertThat(nothing.flash()).isNull();
        assertThat(nothing.logits()).isNull();
        assertThat(nothing.toString()).contains("tiny on cortex-m4f: not measured, missing gcc");
        assertThat(onlyGcc.measure(export, McuTarget.CORTEX_M55, rows).missingTool())
                .isEqualTo("arm-none-eabi-gcc (Debian package gcc-arm-none-eabi)");
        assertThat(onlyGcc.missingTool(McuTarget.HOST)).contains("nm (Debian package binutils)");
    }
}
