package dev.distillery.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stage's config identity ({@link PipelineConfig#hashOf}) follows the bound configuration: the same values spelled
 * differently are one identity, a changed value changes the identity of exactly the sections that hold it.
 */
class ConfigIdentityTest {
    /** The section lists the stages hash: train-teacher, label, distill and evaluate. */
    static final List<String[]> STAGES = List.of(
            new String[] {"seed", "data", "teacher", "spark"},
            new String[] {"seed", "teacher", "label"},
            new String[] {"seed", "spark", "student", "distill"},
            new String[] {"seed", "data", "teacher", "student", "distill", "prune", "qat", "evaluation"});

    @TempDir
    Path dir;

    private PipelineConfig load(String yaml, String... sets) throws Exception {
        Path f = Files.writeString(dir.resolve("c" + System.nanoTime() + ".yaml"), yaml);
        return ConfigLoader.load(f, List.of(sets));
    }

    private static void assertSameIdentity(PipelineConfig a, PipelineConfig b) {
        for (String[] sections : STAGES) {
            assertThat(a.hashOf(sections)).as(String.join("/", sections)).isEqualTo(b.hashOf(sections));
        }
    }

    @Test
    void aSetOverrideAndTheSameNumberInTheYamlFileAreOneIdentity() throws Exception {
        PipelineConfig yamlDouble = load("name: t\ndistill:\n  temperature: 4.0\n");
        PipelineConfig yamlInteger = load("name: t\ndistill:\n  temperature: 4\n");
        PipelineConfig override = load("name: t\n", "distill.temperature=4");
        assertSameIdentity(yamlDouble, override);
        assertSameIdentity(yamlInteger, override);
    }

    @Test
    void restatedDefaultsNullListsAndReorderedMapsKeepTheIdentity() throws Exception {
        PipelineConfig defaults = load("name: t\n");
        PipelineConfig restated = load("""
                name: another-name
                seed: 42
                label: {temperature_hint: 4, augment: {noise_std: 0}}
                distill: {epochs: 10, temperatures: null, learning_rate: 3.0e-3}
                evaluation:
                  download_links_bps: {wifi: 20000000.0, lte-m: 300000, nb-iot: 26000, 2g-gprs: 4.0e4}
                """);
        assertSameIdentity(defaults, restated);
    }

    @Test
    void aChangedValueChangesTheIdentityOfTheSectionsThatHoldItOnly() throws Exception {
        PipelineConfig base = load("name: t\n");
        PipelineConfig hotter = load("name: t\n", "distill.temperature=4.5");
        assertThat(hotter.hashOf("seed", "spark", "student", "distill"))
                .isNotEqualTo(base.hashOf("seed", "spark", "student", "distill"));
        assertThat(hotter.hashOf("seed", "data", "teacher", "spark")).isEqualTo(base.hashOf("seed", "data", "teacher", "spark"));
        assertThat(hotter.hashOf("seed", "teacher", "label")).isEqualTo(base.hashOf("seed", "teacher", "label"));

        // a component named in snake_case, a nested record, a map entry and the seed all count
        assertThat(load("name: t\n", "distill.batch_size=32").hashOf("distill")).isNotEqualTo(base.hashOf("distill"));
        assertThat(load("name: t\n", "label.augment.flip=true").hashOf("label")).isNotEqualTo(base.hashOf("label"));
        assertThat(load("name: t\n", "evaluation.download_links_bps.wifi=10000000").hashOf("evaluation"))
                .isNotEqualTo(base.hashOf("evaluation"));
        assertThat(load("name: t\n", "seed=43").hashOf("seed", "teacher", "label"))
                .isNotEqualTo(base.hashOf("seed", "teacher", "label"));
        assertThat(base.hashOf("distill")).matches("[0-9a-f]{64}");
    }

    @Test
    void teacherAugmentationAtItsDefaultKeepsTheTeacherIdentityOfRunsMadeBeforeItExisted() throws Exception {
        // the default teacher section's hash before teacher.augment was added, so trained teachers stay up to date
        String before = "eb7de771788fea411e63547b9310183eca9097b5063f982a2a04c56d9fe8d8d9";
        assertThat(load("name: t\n").hashOf("teacher")).isEqualTo(before);
        assertThat(load("name: t\n", "teacher.augment.shift_pixels=0").hashOf("teacher")).isEqualTo(before);
        assertThat(load("name: t\n", "teacher.augment.shift_pixels=2").hashOf("teacher")).isNotEqualTo(before);
        assertThat(load("name: t\n", "teacher.augment.flip=true").hashOf("teacher")).isNotEqualTo(before);
    }
}
