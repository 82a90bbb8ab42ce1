package dev.distillery.evaluation.profile;

import dev.distillery.core.error.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileLoaderTest {
    static final Path SHIPPED = Path.of("..", "conf", "profiles");
    static final List<String> SHIPPED_IDS = List.of("cortex-m4f", "cortex-m7", "cortex-m55-ethos-u55",
            "raspberry-pi-4", "phone-cortex-a76", "phone-npu-int8", "jetson-orin-nano", "coral-edge-tpu",
            "x86-avx2-host");

    private static final String VALID = String.join("\n",
            "name: Test MCU",
            "description: a profile for tests",
            "precisions: [fp32, int8]",
            "ram_bytes: 131072",
            "flash_bytes: 1048576",
            "weights_in_ram: false",
            "throughput_macs_per_s: {fp32: 1.0e+7, int8: 2.0e+7}",
            "memory_bandwidth_bytes_per_s: 100000000",
            "energy_pj_per_mac: {fp32: 500, int8: 250}",
            "energy_pj_per_byte: 5",
            "invocation_overhead_s: 0.00005",
            "supported_ops: [conv2d, dense, relu, flatten]",
            "sources:",
            "  - title: test datasheet",
            "    url: https://example.org/datasheet.pdf",
            "    figures: [precisions, ram_bytes, flash_bytes, weights_in_ram, throughput_macs_per_s]",
            "    used_for: quoted from the datasheet",
            "  - title: test assumption",
            "    figures: [memory_bandwidth_bytes_per_s, energy_pj_per_mac, energy_pj_per_byte, supported_ops,"
                    + " invocation_overhead_s]",
            "    used_for: assumed for the test",
            "");

    @TempDir
    Path dir;

    @Test
    void loadsEveryShippedProfile() {
        assertThat(ProfileLoader.availableIds(SHIPPED)).containsAll(SHIPPED_IDS);
        List<HardwareProfile> profiles = ProfileLoader.loadAll(SHIPPED, SHIPPED_IDS);

        assertThat(profiles).extracting(HardwareProfile::id).containsExactlyElementsOf(SHIPPED_IDS);
        for (HardwareProfile p : profiles) {
            assertThat(p.sources()).as(p.id() + " cites its figures").isNotEmpty();
            assertThat(p.sources().stream().filter(c -> c.url() != null)).as(p.id() + " links public documents")
                    .isNotEmpty();
            // Every figure that rests on Distillery's own estimate is flagged, never passed off as documented.
            assertThat(p.sources()).as(p.id() + " marks its estimates").anyMatch(Citation::assumed);
            assertThat(p.sources()).as(p.id() + " has documented sources").anyMatch(c -> !c.assumed());
            assertThat(p.assumedFigures()).as(p.id()).contains("invocation_overhead_s");
            assertThat(p.supports(Precision.INT8)).as(p.id() + " runs int8").isTrue();
            if (p.supports(Precision.FP32)) {
                // Integer kernels do at least as many MACs per cycle as float ones on every one of these cores.
                assertThat(p.throughput(Precision.INT8)).as(p.id())
                        .isGreaterThanOrEqualTo(p.throughput(Precision.FP32));
                assertThat(p.energyPerMac(Precision.INT8)).as(p.id())
                        .isLessThanOrEqualTo(p.energyPerMac(Precision.FP32));
            }
        }
    }

    @Test
    void npuProfilesTakeDenseWithPerTensorWeightsOnlyAndSayWhichRuleRequiresIt() {
        List<String> npus = List.of("cortex-m55-ethos-u55", "phone-npu-int8");
        for (String id : SHIPPED_IDS) {
            HardwareProfile p = ProfileLoader.load(SHIPPED, id);
            assertThat(p.supportedOps()).as(id).containsExactlyInAnyOrder(Operator.values());
            if (npus.contains(id)) {
                assertThat(p.toolchain().perTensorWeights()).as(id).containsExactly(Operator.DENSE);
                assertThat(p.toolchain().perTensorRule()).as(id).contains("FULLY_CONNECTED");
                assertThat(p.toolchain().format()).as(id).isEqualTo(DeployFormat.TFLITE);
            } else {
                assertThat(p.toolchain().perTensorWeights()).as(id).isEmpty();
            }
        }
    }

    @Test
    void microcontrollerProfilesNameTheEmulatedCoreTheirCBuildIsMeasuredOn() {
        assertThat(ProfileLoader.load(SHIPPED, "cortex-m4f").toolchain().core()).contains("cortex-m4f");
        assertThat(ProfileLoader.load(SHIPPED, "cortex-m7").toolchain().core()).contains("cortex-m7");
        assertThat(ProfileLoader.load(SHIPPED, "cortex-m55-ethos-u55").toolchain().core()).contains("cortex-m55");
        assertThat(ProfileLoader.load(SHIPPED, "cortex-m4f").toolchain().format()).isEqualTo(DeployFormat.C);
        assertThat(ProfileLoader.load(SHIPPED, "x86-avx2-host").toolchain().core()).isEmpty();
    }

    @Test
    void rejectsAPerTensorRequirementWithoutTheRuleBehindIt() throws IOException {
        write("npu", VALID + "toolchain:\n  format: tflite\n  per_tensor_weights: [dense]\n");

        assertThatThrownBy(() -> ProfileLoader.load(dir, "npu")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("toolchain.per_tensor_rule");
    }

    @Test
    void rejectsAnUnknownDeploymentFormatAndAMisspeltToolchainField() throws IOException {
        write("fmt", VALID + "toolchain:\n  format: tfl\n");
        write("typo", VALID + "toolchain:\n  format: c\n  clock: 64000000\n");

        assertThatThrownBy(() -> ProfileLoader.load(dir, "fmt")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("unknown deployment format 'tfl' (known: c, tflite, onnx)");
        assertThatThrownBy(() -> ProfileLoader.load(dir, "typo")).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("unknown field 'toolchain.clock'").hasMessageContaining("clock_hz");
    }

    @Test
    void readsTheAssumedMarkerOfASourceAndListsTheFiguresItCovers() throws IOException {
        write("est", VALID.replace("    used_for: assumed for the test", "    used_for: assumed for the test\n"
                + "    assumed: true"));

        HardwareProfile p = ProfileLoader.load(dir, "est");

        assertThat(p.sources()).extracting(Citation::assumed).containsExactly(false, true);
        assertThat(p.assumedFigures()).containsExactly("energy_pj_per_byte", "energy_pj_per_mac",
                "invocation_overhead_s", "memory_bandwidth_bytes_per_s", "supported_ops");
    }

    @Test
    void acceleratorsThatOnlyRunIntegerModelsSaySo() {
        for (String id : List.of("cortex-m55-ethos-u55", "phone-npu-int8", "coral-edge-tpu")) {
            assertThat(ProfileLoader.load(SHIPPED, id).precisions()).as(id).containsExactly(Precision.INT8);
        }
        HardwareProfile jetson = ProfileLoader.load(SHIPPED, "jetson-orin-nano");
        assertThat(jetson.precisions()).contains(Precision.FP16, Precision.INT8);
        // Tensor Cores: fp16 and int8 well above the CUDA-core fp32 rate.
        assertThat(jetson.throughput(Precision.FP16)).isGreaterThan(jetson.throughput(Precision.FP32));
    }

    @Test
    void rejectsAFigureNoSourceCites() throws IOException {
        write("bad", VALID.replace(" supported_ops,", ""));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: sources cite no document for supported_ops; add it to the figures list of"
                        + " the source it comes from");
    }

    @Test
    void rejectsASourceCitingAnUnknownFigure() throws IOException {
        write("bad", VALID.replace("[precisions, ram_bytes,", "[precisions, ram,"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: sources[0]: figures of 'test datasheet' names 'ram'");
    }

    @Test
    void rejectsAMisspeltSourceFieldListingTheSourceFields() throws IOException {
        write("bad", VALID.replace("    url: https://example.org/datasheet.pdf", "    link: https://example.org/d.pdf"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: unknown field 'sources[0].link' (known: title, url, figures, used_for, assumed)");
    }

    @Test
    void rejectsMissingInvocationOverhead() throws IOException {
        write("bad", VALID.replace("invocation_overhead_s: 0.00005\n", ""));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: invocation_overhead_s is missing");
    }

    @Test
    void microcontrollersRunWeightsFromFlashAndHaveLessRamThanFlash() {
        for (String id : List.of("cortex-m7", "cortex-m4f")) {
            HardwareProfile p = ProfileLoader.load(SHIPPED, id);
            assertThat(p.weightsInRam()).as(id).isFalse();
            assertThat(p.ramBytes()).as(id).isLessThan(p.flashBytes());
            // Both MCU classes top out at 2 MiB of on-chip flash and 1 MiB of RAM.
            assertThat(p.flashBytes()).as(id).isLessThanOrEqualTo(2L << 20);
            assertThat(p.ramBytes()).as(id).isLessThanOrEqualTo(1L << 20);
        }
    }

    @Test
    void hostProfileStaysBelowTheMeasuredGemmCeiling() {
        HardwareProfile host = ProfileLoader.load(SHIPPED, "x86-avx2-host");
        // DESIGN.md: at most ~122 GFLOP/s on 2 threads, i.e. 61 G MAC/s; a per-sample model cannot beat big GEMM.
        assertThat(host.throughput(Precision.FP32)).isLessThanOrEqualTo(61e9);
        assertThat(host.supports(Precision.FP16)).isTrue();
        assertThat(host.weightsInRam()).isTrue();
    }

    @Test
    void loadsAValidProfileWithItsFileNameAsId() throws IOException {
        write("test-mcu", VALID);

        HardwareProfile p = ProfileLoader.load(dir, "test-mcu");

        assertThat(p.id()).isEqualTo("test-mcu");
        assertThat(p.precisions()).containsExactly(Precision.FP32, Precision.INT8);
        assertThat(p.throughput(Precision.INT8)).isEqualTo(2.0e7);
        assertThat(p.ramBytes()).isEqualTo(131072);
    }

    @Test
    void rejectsNegativeRamNamingFileAndField() throws IOException {
        write("bad", VALID.replace("ram_bytes: 131072", "ram_bytes: -1"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: ram_bytes must be > 0, was -1");
    }

    @Test
    void rejectsMissingField() throws IOException {
        write("bad", VALID.replace("flash_bytes: 1048576\n", ""));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: flash_bytes is missing");
    }

    @Test
    void rejectsZeroThroughput() throws IOException {
        write("bad", VALID.replace("int8: 2.0e+7", "int8: 0"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: throughput_macs_per_s.int8 must be a finite number > 0, was 0.0");
    }

    @Test
    void rejectsUnknownPrecision() throws IOException {
        write("bad", VALID.replace("precisions: [fp32, int8]", "precisions: [fp32, int8, fp64]"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: precisions: unknown precision 'fp64'")
                .hasMessageContaining("fp32, fp16, int8, int4");
    }

    @Test
    void rejectsEmptyPrecisions() throws IOException {
        write("bad", VALID.replace("precisions: [fp32, int8]", "precisions: []"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: precisions must list at least one");
    }

    @Test
    void rejectsThroughputMissingForAListedPrecision() throws IOException {
        write("bad", VALID.replace("throughput_macs_per_s: {fp32: 1.0e+7, int8: 2.0e+7}",
                "throughput_macs_per_s: {fp32: 1.0e+7}"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: throughput_macs_per_s has no entry for int8");
    }

    @Test
    void rejectsEnergyForAPrecisionTheProfileDoesNotList() throws IOException {
        write("bad", VALID.replace("energy_pj_per_mac: {fp32: 500, int8: 250}",
                "energy_pj_per_mac: {fp32: 500, int8: 250, int4: 100}"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: energy_pj_per_mac has an entry for int4, which is not in precisions");
    }

    @Test
    void rejectsUnknownOperator() throws IOException {
        write("bad", VALID.replace("[conv2d, dense, relu, flatten]", "[conv2d, dense, softmax]"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: supported_ops: unknown operator 'softmax'");
    }

    @Test
    void rejectsMisspeltField() throws IOException {
        write("bad", VALID.replace("ram_bytes:", "ram:"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: unknown field 'ram'");
    }

    @Test
    void rejectsNonNumericValueNamingTheField() throws IOException {
        write("bad", VALID.replace("ram_bytes: 131072", "ram_bytes: lots"));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("bad.yaml: ram_bytes: ");
    }

    @Test
    void rejectsProfileWithoutSources() throws IOException {
        write("bad", VALID.substring(0, VALID.indexOf("sources:")));

        assertThatThrownBy(() -> ProfileLoader.load(dir, "bad"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("bad.yaml: sources is missing");
    }

    @Test
    void rejectsUnknownIdListingTheAvailableOnes() {
        assertThatThrownBy(() -> ProfileLoader.load(SHIPPED, "cortex-m9"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("unknown hardware profile 'cortex-m9'")
                .hasMessageContaining("coral-edge-tpu, cortex-m4f, cortex-m55-ethos-u55, cortex-m7");
    }

    @Test
    void rejectsIdsThatPointOutsideTheFolder() throws IOException {
        write("inner", VALID);
        Path nested = Files.createDirectories(dir.resolve("profiles"));

        assertThatThrownBy(() -> ProfileLoader.load(nested, "../inner"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("unknown hardware profile '../inner'");
    }

    @Test
    void rejectsTheSameProfileRequestedTwice() {
        assertThatThrownBy(() -> ProfileLoader.loadAll(SHIPPED, List.of("cortex-m7", "cortex-m7")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("more than once");
    }

    private void write(String id, String yaml) throws IOException {
        Files.writeString(dir.resolve(id + ".yaml"), yaml);
    }
}
