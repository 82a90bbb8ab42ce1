package dev.distillery.evaluation.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The cells of the two deployment tables, shared by the Markdown and HTML reports: C builds measured on emulated
 * microcontroller cores beside the estimates, and each recommendation's artifact with its download times and
 * energy per day.
 */
final class DeviceTables {
    static final String MEASURED_NOTE = "Flash (model constants + kernel code) and stack are read from the "
            + "arm-none-eabi-gcc build of the C export; instructions are counted exactly on the QEMU machine of that "
            + "core; latency = instructions x the profile's assumed cycles per instruction / its clock (measured on an "
            + "emulated core, not on a device). Estimates are the cost model's: before calibration from the profile's "
            + "assumed MAC rate, after calibration from the instructions per MAC measured on that core (fitted on "
            + "these same builds; shown for C targets only, since an NPU's latency is not its CPU's). Error = "
            + "(estimate - measured) / measured.";
    static final String DEPLOYMENT_NOTE = "The artifact each recommended variant ships as, in the format the "
            + "profile's toolchain takes (files under deploy/<profile>/ after the deploy stage). Download time is "
            + "the download size at each configured link rate (no protocol overhead); for C the download is the "
            + "measured flash image of the model when it was measured. Energy per day is the cost model's estimate "
            + "per inference times the configured inferences per day.";

    private DeviceTables() {
    }

    static List<String> measuredHeaders() {
        return List.of("Profile", "Variant", "Core (QEMU machine)", "Flash measured (weights + code)",
                "Flash estimated (error)", "RAM measured (arena + stack)", "RAM estimated (error)",
                "Instructions / inference", "Latency from instructions (ms)", "Estimated latency (error)",
                "Calibrated estimate (error; fitted on these builds)");
    }

    static List<List<String>> measuredRows(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (DeviceRow d : report.deviceRows()) {
            DeviceMeasurement m = d.measured();
            rows.add(List.of(d.profileId(), d.variant(), m.core() + " (" + m.machine() + ")",
                    Fmt.bytes(m.flashBytes()) + " (" + Fmt.bytes(m.flashWeightBytes()) + " + "
                            + Fmt.bytes(m.flashCodeBytes()) + ")",
                    Fmt.bytes(d.estimatedFlashBytes()) + " (" + Fmt.signedPercent(d.flashError()) + ")",
                    Fmt.bytes(m.ramBytes()) + " (" + Fmt.bytes(m.arenaBytes()) + " + " + Fmt.bytes(m.stackBytes()) + ")",
                    Fmt.bytes(d.estimatedRamBytes()) + " (" + Fmt.signedPercent(d.ramError()) + ")",
                    Fmt.count(m.instructionsPerInference()), Fmt.sig3(d.measuredLatencyMs()),
                    withError(d.estimatedLatencyMs(), d.latencyError()),
                    withError(d.calibratedLatencyMs(), d.calibratedLatencyError())));
        }
        return rows;
    }

    /** Link names in the order the deployments list them. */
    static List<String> links(Report report) {
        TreeSet<String> seen = new TreeSet<>();
        List<String> out = new ArrayList<>();
        for (Deployment d : report.deployments()) {
            for (String link : d.downloadSeconds().keySet()) {
                if (seen.add(link)) {
                    out.add(link);
                }
            }
        }
        return out;
    }

    static List<String> deploymentHeaders(Report report) {
        List<String> h = new ArrayList<>(List.of("Profile", "Variant", "Format", "Artifact", "Download size"));
        links(report).forEach(l -> h.add("Download over " + l));
        h.add("Energy per day");
        return h;
    }

    static List<List<String>> deploymentRows(Report report) {
        List<List<String>> rows = new ArrayList<>();
        List<String> links = links(report);
        for (Deployment d : report.deployments()) {
            List<String> cells = new ArrayList<>(List.of(d.profileId(), d.variant(), d.format().id(), d.artifact(),
                    Fmt.bytes(d.downloadBytes())));
            for (String link : links) {
                Double s = d.downloadSeconds().get(link);
                cells.add(s == null ? "" : duration(s));
            }
            cells.add(d.joulesPerDay().isPresent() && d.inferencesPerDay() > 0
                    ? Fmt.sig3(d.joulesPerDay().getAsDouble()) + " J at " + Fmt.sig3(d.inferencesPerDay())
                    + " inferences" : "not estimated");
            rows.add(cells);
        }
        return rows;
    }

    private static String withError(java.util.OptionalDouble value, java.util.OptionalDouble error) {
        return value.isPresent() ? Fmt.sig3(value) + " (" + Fmt.signedPercent(error.getAsDouble()) + ")" : "—";
    }

    static String duration(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.0f ms", seconds * 1e3);
        }
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
}
