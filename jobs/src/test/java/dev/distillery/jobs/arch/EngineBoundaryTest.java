package dev.distillery.jobs.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine boundary over the main classes of every module (this module's test classpath sees them all): native
 * engine types appear only in the engine module, and the rest of the code reaches engines through core's
 * {@code Engines}. The benchmarks, which measure the engine itself, are the one exception.
 */
class EngineBoundaryTest {
    private static final String[] ENGINE_LIBRARIES = {"org.nd4j..", "org.deeplearning4j..", "org.bytedeco..",
            "ai.onnxruntime.."};
    /**
     * The engine module, and the benchmark drivers that time it directly (module benchmarks, outside the application
     * jar and outside this module's classpath; named so that the rule stays right should they come back into view).
     */
    private static final String[] MAY_USE_ENGINES = {"dev.distillery.engine..", "dev.distillery.bench.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Distillery's own jars (a packaged reactor) or class folders; scanning every library jar took 40 s
        ImportOption ownCode = location -> !location.isJar() || location.contains("distillery-");
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ownCode).importPackages("dev.distillery");
    }

    @Test
    void importsTheClassesOfEveryModule() {
        // a rule over an empty or partial import passes vacuously: make sure each module's classes are there
        for (String pkg : new String[]{"dev.distillery.core.engine", "dev.distillery.core.train",
                "dev.distillery.engine.samediff", "dev.distillery.engine.onnxruntime", "dev.distillery.teacher.label",
                "dev.distillery.student.quant", "dev.distillery.evaluation.measure", "dev.distillery.airflow.client",
                "dev.distillery.jobs.stage"}) {
            assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void onlyTheEngineModuleUsesNativeEngineTypes() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages(MAY_USE_ENGINES)
                .should().dependOnClassesThat().resideInAnyPackage(ENGINE_LIBRARIES)
                .because("DL4J/ND4J/SameDiff and ONNX Runtime stay behind the engine boundary; code above it speaks "
                        + "in dev.distillery.core.engine types");
        rule.check(classes);
    }

    @Test
    void codeReachesEnginesOnlyThroughCoreEngines() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages(MAY_USE_ENGINES)
                .should().dependOnClassesThat().resideInAPackage("dev.distillery.engine..")
                .because("engines are found through dev.distillery.core.engine.Engines, so another engine can "
                        + "replace one without touching its callers");
        rule.check(classes);
    }

    @Test
    void theEngineModuleDependsOnCoreOnly() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.distillery.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.distillery.teacher..",
                        "dev.distillery.student..", "dev.distillery.evaluation..", "dev.distillery.airflow..",
                        "dev.distillery.jobs..", "dev.distillery.bench..")
                .because("the engine sits directly above core, so every other module can run on it, "
                        + "tests included");
        rule.check(classes);
    }
}
