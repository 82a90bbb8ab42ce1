package dev.distillery.core.manifest;

import dev.distillery.core.engine.Engines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Versions and source revision recorded in every manifest and model. */
public final class Provenance {
    private static volatile String gitCommit;

    private Provenance() {
    }

    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("distillery", String.valueOf(Provenance.class.getPackage().getImplementationVersion() == null
                ? "0.1.0-SNAPSHOT" : Provenance.class.getPackage().getImplementationVersion()));
        v.put("java", System.getProperty("java.version"));
        v.put("spark", version("org.apache.spark.SparkContext"));
        // the engine names its own libraries ("nd4j" for SameDiff); a program without an engine records none
        v.putAll(Engines.versions());
        return v;
    }

    private static String version(String className) {
        try {
            Package p = Class.forName(className).getPackage();
            String impl = p.getImplementationVersion();
            if (impl != null) {
                return impl;
            }
            return org.apache.spark.package$.MODULE$.SPARK_VERSION();
        } catch (ClassNotFoundException | LinkageError e) {
            return "absent";
        }
    }

    /** The source revision: $DISTILLERY_GIT_COMMIT, else {@code git rev-parse HEAD} in the working folder. */
    public static String gitCommit() {
        if (gitCommit == null) {
            String env = System.getenv("DISTILLERY_GIT_COMMIT");
            gitCommit = env != null && !env.isBlank() ? env.trim() : askGit();
        }
        return gitCommit;
    }

    private static String askGit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
                return out;
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
