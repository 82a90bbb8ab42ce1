package dev.distillery.engine.samediff;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NativeMemoryTest {

    /** Run in a fresh JVM: prints whether its young generation counts as bounded. */
    public static void main(String[] args) {
        System.out.println("bounded " + NativeMemory.youngGenerationBounded());
    }

    @Test
    void aBoundedYoungGenerationStretchesTheIntervalUnlessOneIsConfigured() {
        assertThat(NativeMemory.interval(null, true)).isEqualTo(100);
        assertThat(NativeMemory.interval(null, false)).isEqualTo(25);
        assertThat(NativeMemory.interval(10L, true)).isEqualTo(10);
        assertThat(NativeMemory.interval(0L, false)).isZero();
    }

    @Test
    void theTestJvmAndAnUnboundedOneAreToldApart() throws IOException, InterruptedException {
        // surefire passes the bound (pom.xml), as bin/distillery and the executors' options do
        assertThat(NativeMemory.youngGenerationBounded()).as("pom.xml's test.jvm.args").isTrue();
        assertThat(child(List.of())).isEqualTo("bounded false");
        assertThat(child(List.of("-Xmn256m"))).isEqualTo("bounded true");
        assertThat(child(List.of("-XX:MaxNewSize=1g"))).isEqualTo("bounded false");
    }

    private static String child(List<String> options) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx2g"));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeMemoryTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("bounded ")).findFirst().orElse(out);
    }
}
