package dev.distillery.evaluation.report;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens report.html in Debian's headless Chromium, offline, and checks that it loads without console errors and
 * that every chart was drawn; keeps a screenshot at target/report-screenshot.png. Fails, rather than skips, when
 * Chromium or its driver is missing: CI installs both (.ci/run).
 */
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path TARGET = Path.of("target");

    @Test
    void reportRendersItsChartsInHeadlessChromiumWithoutConsoleErrors() throws IOException {
        assertThat(CHROMIUM).as("Chromium is needed for this test: apt-get install -y chromium chromium-driver")
                .isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver is needed for this test: apt-get install -y chromium-driver")
                .isExecutable();
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of("cortex-m4f", 0.95)),
                TARGET.resolve("browser-report"));
        Path profile = Files.createTempDirectory("distillery-chromium-");
        try {
            render(dir, profile);
        } finally {
            deleteTree(profile);
        }
        assertThat(profile).as("Chromium's temporary profile folder is removed").doesNotExist();
    }

    private static void render(Path dir, Path profile) throws IOException {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1300,2400");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(dir.resolve(ReportWriter.HTML_FILE).toUri().toString());
            JavascriptExecutor js = driver;

            Object charts = js.executeScript("return window.distilleryCharts ? window.distilleryCharts.length : -1");
            long containers = (Long) js.executeScript("return document.querySelectorAll('div.chart').length");
            @SuppressWarnings("unchecked")
            List<Long> shapes = (List<Long>) js.executeScript(
                    "return Array.from(document.querySelectorAll('div.chart')).map(function (d) {"
                            + " var inst = echarts.getInstanceByDom(d);"
                            + " return inst ? d.querySelectorAll('svg path, svg rect, svg text').length : -1; });");
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(TARGET.resolve("report-screenshot.png"), png);
            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();

            assertThat(errors).as("console errors").isEmpty();
            // 4 profiles, size and MAC bars, 3 confusion matrices.
            assertThat(containers).isEqualTo(4 + 2 + 3);
            assertThat(charts).isEqualTo(containers);
            assertThat(shapes).as("drawn shapes per chart").hasSize((int) containers)
                    .allSatisfy(n -> assertThat(n).isGreaterThan(10));
            assertThat(png.length).isGreaterThan(10_000);
        } finally {
            driver.quit();
        }
    }

    /** Removes Chromium's temporary profile folder, deepest entries first. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
