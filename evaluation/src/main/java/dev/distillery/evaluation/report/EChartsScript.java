package dev.distillery.evaluation.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The minified Apache ECharts library from its WebJar on the class path, inlined into report.html so the page
 * draws its charts offline. Read once per JVM; about 1 MB.
 */
final class EChartsScript {
    static final String VERSION = "5.3.1";
    private static final String RESOURCE = "/META-INF/resources/webjars/echarts/" + VERSION + "/dist/echarts.min.js";
    private static volatile String script;

    private EChartsScript() {
    }

    static String get() {
        String s = script;
        if (s == null) {
            try (InputStream in = EChartsScript.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("ECharts " + VERSION + " is not on the class path (" + RESOURCE
                            + "); the org.webjars.npm:echarts dependency is missing");
                }
                s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("could not read " + RESOURCE, e);
            }
            if (s.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                // Would end the inline script element early; the library never contains it, so this is a guard.
                throw new IllegalStateException(RESOURCE + " contains '</script' and cannot be inlined");
            }
            script = s;
        }
        return s;
    }
}
