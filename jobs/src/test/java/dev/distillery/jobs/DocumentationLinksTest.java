package dev.distillery.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** README.md and docs/ point at files and headings that exist, so a page moved or renamed cannot leave a dead link. */
class DocumentationLinksTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} +(.+?) *$");

    @Test
    void everyRelativeLinkInReadmeAndDocsResolves() throws IOException {
        List<Path> pages = pages();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(prose(Files.readString(page)));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto: and the like are not this repository's files
                }
                checked++;
                String problem = problem(page, target);
                if (problem != null) {
                    broken.add(REPO.relativize(page) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(broken).isEmpty();
        // README alone links every page of docs/; far fewer links means the pattern stopped matching
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void readmeLinksEveryPageOfDocs() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        List<String> unlinked = new ArrayList<>();
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).map(p -> "docs/" + p.getFileName()).sorted()
                    .filter(name -> !readme.contains("(" + name + ")")).forEach(unlinked::add);
        }
        assertThat(unlinked).as("docs pages README.md does not point to").isEmpty();
    }

    @Test
    void readmeStaysAnOverview() throws IOException {
        assertThat(Files.size(REPO.resolve("README.md"))).isLessThan(20_000);
    }

    private static String problem(Path page, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file " + REPO.relativize(resolved);
        }
        if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
            return "no heading with anchor #" + anchor + " in " + REPO.relativize(resolved);
        }
        return null;
    }

    /** The anchors a Markdown renderer derives from headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        Matcher m = HEADING.matcher(FENCE.matcher(Files.readString(page)).replaceAll(""));
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    private static String prose(String markdown) {
        return CODE_SPAN.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(REPO.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }
}
