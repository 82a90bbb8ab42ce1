package dev.distillery.evaluation.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Set;

/**
 * Where some of a profile's figures come from: a public document (with its address when it has one), the profile
 * fields it supports, and how each figure was read or derived from it.
 *
 * @param url      where to read the document; null for documents without a stable address (standards, papers
 *                 identified by their title) and for measurements made on the build machine
 * @param figures  the profile fields this source supports, e.g. {@code ram_bytes}; every figure of a profile file
 *                 must be named by at least one source
 * @param usedFor  how the figures were taken from the source: quoted, computed (with the arithmetic) or assumed
 * @param assumed  true when the figures are Distillery's own assumptions (an engineering estimate no document
 *                 states, or a document used only as a loose anchor); reports flag such figures as assumed
 */
public record Citation(String title, String url, List<String> figures, String usedFor, boolean assumed) {
    /** The profile fields that carry a figure and so need a source. */
    public static final Set<String> FIGURES = Set.of("precisions", "ram_bytes", "flash_bytes", "weights_in_ram",
            "throughput_macs_per_s", "memory_bandwidth_bytes_per_s", "energy_pj_per_mac", "energy_pj_per_byte",
            "supported_ops", "invocation_overhead_s");

    @JsonCreator
    public Citation(@JsonProperty("title") String title, @JsonProperty("url") String url,
                    @JsonProperty("figures") List<String> figures, @JsonProperty("used_for") String usedFor,
                    @JsonProperty("assumed") boolean assumed) {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("title is missing");
        }
        if (usedFor == null || usedFor.isBlank()) {
            throw new IllegalArgumentException("used_for is missing for '" + title + "'");
        }
        if (url != null && !url.startsWith("https://") && !url.startsWith("http://")) {
            throw new IllegalArgumentException("url of '" + title + "' must start with https:// or http://, was "
                    + url);
        }
        if (figures == null || figures.isEmpty()) {
            throw new IllegalArgumentException("figures is missing for '" + title + "': list the profile fields "
                    + "it supports, from " + new java.util.TreeSet<>(FIGURES));
        }
        for (String f : figures) {
            if (!FIGURES.contains(f)) {
                throw new IllegalArgumentException("figures of '" + title + "' names '" + f
                        + "', which is not a profile figure (known: " + new java.util.TreeSet<>(FIGURES) + ")");
            }
        }
        this.title = title;
        this.url = url;
        this.figures = List.copyOf(figures);
        this.usedFor = usedFor;
        this.assumed = assumed;
    }

    /** A documented (not assumed) source. */
    public Citation(String title, String url, List<String> figures, String usedFor) {
        this(title, url, figures, usedFor, false);
    }

    /** A source for every figure, for profiles built in code (tests, what-if studies). */
    public Citation(String title, String usedFor) {
        this(title, null, List.copyOf(FIGURES), usedFor, false);
    }
}
