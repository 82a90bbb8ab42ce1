package dev.distillery.evaluation.report;

import dev.distillery.evaluation.profile.DeployFormat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The deployment context of a profile's recommended variant: the artifact its toolchain takes, how long that
 * artifact takes to download over each configured link, and the energy a day of inferences costs at the configured
 * rate.
 *
 * @param artifact        path of the artifact, relative to the run folder
 * @param downloadBytes   bytes a device downloads: the artifact file, or for C the measured flash image of the model
 *                        (weights and kernels) when it was measured, since firmware carries compiled code
 * @param downloadSeconds link name to seconds at the link's configured bit rate
 * @param joulesPerDay    estimated energy per inference x inferences per day; empty when the profile has no energy
 *                        figure for the variant's precision
 */
public record Deployment(String profileId, String variant, DeployFormat format, String artifact, long artifactBytes,
                         long downloadBytes, Map<String, Double> downloadSeconds, double inferencesPerDay,
                         OptionalDouble joulesPerDay) {

    public Deployment {
        downloadSeconds = Collections.unmodifiableMap(new LinkedHashMap<>(downloadSeconds));
    }

    /** Seconds per link for {@code bytes} at each link's bits per second. */
    static Map<String, Double> downloadSeconds(long bytes, Map<String, Double> linkBitsPerSecond) {
        Map<String, Double> out = new LinkedHashMap<>();
        linkBitsPerSecond.forEach((link, bps) -> out.put(link, bytes * 8.0 / bps));
        return out;
    }
}
