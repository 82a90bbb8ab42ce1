package dev.distillery.jobs.stage;

import dev.distillery.core.labels.SoftLabelMetadata;

import java.util.Optional;

/**
 * The temperature a set of soft labels was labelled with as a hint ({@code label.temperature_hint}) against the one
 * distill runs at. The labels hold teacher logits at T=1, so any temperature works; a difference is worth saying
 * (the labels were made for another setting, or one of the two settings was forgotten), never worth refusing.
 */
final class TemperatureHint {
    private TemperatureHint() {
    }

    /** The warning for a distillation at {@code temperature} from {@code labels}, empty when the two agree. */
    static Optional<String> mismatch(double temperature, SoftLabelMetadata labels) {
        if (Double.compare(temperature, labels.temperatureHint()) == 0) {
            return Optional.empty();
        }
        return Optional.of("distill.temperature is " + temperature + " but the soft labels were labelled with "
                + "temperature hint " + labels.temperatureHint() + " (label.temperature_hint); they hold logits at "
                + "T=1, so distillation runs at T=" + temperature + " as configured");
    }

    /** "T=2.0" in lineage details, with the labels' hint beside it when it differs: "T=2.0, labels' hint T=4.0". */
    static String describe(double temperature, SoftLabelMetadata labels) {
        return "T=" + temperature + (mismatch(temperature, labels).isPresent()
                ? ", labels' hint T=" + labels.temperatureHint() : "");
    }
}
