package dev.distillery.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.evaluation.cost.CostEstimate;
import dev.distillery.evaluation.cost.LayerCost;
import dev.distillery.evaluation.measure.LatencyMeasurement;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.metrics.ConfidenceInterval;
import dev.distillery.evaluation.profile.Citation;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Renders report.json. Field names are written out by hand rather than derived from the records, so renaming a
 * Java accessor can never silently change the documented format (docs/report-format.md).
 */
final class JsonReport {
    /**
     * Bumped whenever a field is renamed or removed, or a required section is added (3: {@code ablation}, and
     * {@code lineage} and {@code distilled_from} on every variant); adding an optional field keeps the version.
     */
    static final int SCHEMA_VERSION = 3;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    static String render(Report report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema_version", SCHEMA_VERSION);
        root.put("title", report.title());
        root.put("created", report.created().toString());
        root.put("config_hash", report.configHash());
        root.put("dataset", report.dataset());
        ArrayNode classNames = root.putArray("class_names");
        report.classNames().forEach(classNames::add);
        ObjectNode notes = root.putObject("notes");
        report.notes().forEach(notes::put);
        ArrayNode profiles = root.putArray("profiles");
        report.profiles().forEach(p -> profile(profiles.addObject(), p));
        ArrayNode variants = root.putArray("variants");
        report.variants().forEach(v -> variant(variants.addObject(), v));
        ArrayNode rows = root.putArray("profile_rows");
        report.rows().forEach(r -> row(rows.addObject(), r));
        ArrayNode recommendations = root.putArray("recommendations");
        for (HardwareProfile p : report.profiles()) {
            ObjectNode rec = recommendations.addObject();
            rec.put("profile", p.id());
            rec.put("variant", report.recommended().get(p.id()));
            rec.put("required", report.requiredProfiles().contains(p.id()));
            ArrayNode front = rec.putArray("pareto_front");
            report.pareto().getOrDefault(p.id(), List.of()).forEach(front::add);
        }
        ArrayNode required = root.putArray("required_profiles");
        report.requiredProfiles().forEach(required::add);
        ArrayNode failed = root.putArray("failed_required_profiles");
        report.failedRequiredProfiles().forEach(failed::add);
        ArrayNode devices = root.putArray("device_measurements");
        report.deviceRows().forEach(d -> deviceRow(devices.addObject(), d));
        ArrayNode deployments = root.putArray("deployments");
        report.deployments().forEach(d -> deployment(deployments.addObject(), d));
        ObjectNode check = root.putObject("cost_model_check");
        check.put("host_profile", report.hostProfile());
        ArrayNode checks = check.putArray("rows");
        for (CostCheck c : report.costChecks()) {
            ObjectNode n = checks.addObject();
            n.put("variant", c.variant());
            n.put("runtime", c.runtime());
            n.put("measured_median_ms", c.measuredMedianMs());
            n.put("measured_p90_ms", c.measuredP90Ms());
            n.put("estimated_ms", c.estimatedMs());
            n.put("relative_error", c.relativeError());
        }
        ArrayNode ablation = root.putArray("ablation");
        report.ablation().forEach(s -> ablationStep(ablation.addObject(), s));
        ArrayNode cards = root.putArray("model_cards");
        for (Map.Entry<String, List<String>> card : ModelCard.cards(report).entrySet()) {
            ObjectNode n = cards.addObject();
            n.put("variant", card.getKey());
            n.put("file", ModelCard.fileName(card.getKey()));
            ArrayNode ps = n.putArray("profiles");
            card.getValue().forEach(ps::add);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report JSON could not be rendered", e);
        }
    }

    private static void profile(ObjectNode node, HardwareProfile p) {
        node.put("id", p.id());
        node.put("name", p.name());
        node.put("description", p.description());
        ArrayNode precisions = node.putArray("precisions");
        p.precisions().forEach(x -> precisions.add(x.id()));
        node.put("ram_bytes", p.ramBytes());
        node.put("flash_bytes", p.flashBytes());
        perPrecision(node.putObject("throughput_macs_per_s"), p.throughputMacsPerS());
        node.put("memory_bandwidth_bytes_per_s", p.memoryBandwidthBytesPerS());
        perPrecision(node.putObject("energy_pj_per_mac"), p.energyPjPerMac());
        node.put("energy_pj_per_byte", p.energyPjPerByte());
        ArrayNode ops = node.putArray("supported_ops");
        p.supportedOps().forEach(op -> ops.add(op.id()));
        node.put("weights_in_ram", p.weightsInRam());
        node.put("invocation_overhead_s", p.invocationOverheadSeconds());
        ObjectNode toolchain = node.putObject("toolchain");
        toolchain.put("format", p.toolchain().format().id());
        ArrayNode perTensor = toolchain.putArray("per_tensor_weights");
        p.toolchain().perTensorWeights().forEach(op -> perTensor.add(op.id()));
        toolchain.put("per_tensor_rule", p.toolchain().perTensorRule());
        toolchain.put("core", p.toolchain().core().orElse(null));
        if (p.toolchain().core().isPresent()) {
            toolchain.put("clock_hz", p.toolchain().clockHz());
            toolchain.put("cycles_per_instruction", p.toolchain().cyclesPerInstruction());
        } else {
            toolchain.putNull("clock_hz");
            toolchain.putNull("cycles_per_instruction");
        }
        ArrayNode sources = node.putArray("sources");
        for (Citation c : p.sources()) {
            ObjectNode s = sources.addObject();
            s.put("title", c.title());
            s.put("url", c.url());
            ArrayNode figures = s.putArray("figures");
            c.figures().forEach(figures::add);
            s.put("used_for", c.usedFor());
            s.put("assumed", c.assumed());
        }
    }

    private static void perPrecision(ObjectNode node, Map<Precision, Double> values) {
        values.forEach((k, v) -> node.put(k.id(), v));
    }

    private static void variant(ObjectNode node, Variant v) {
        node.put("name", v.name());
        node.put("kind", v.kind());
        node.put("precision", v.precision().id());
        node.put("accuracy", v.accuracy());
        node.put("params", v.params());
        node.put("size_bytes", v.sizeBytes());
        if (v.macs() == Variant.UNKNOWN_MACS) {
            node.putNull("macs");   // an ONNX teacher: its MACs are not counted
        } else {
            node.put("macs", v.macs());
        }
        node.put("sparsity", v.sparsity());
        node.put("source", v.source() == null ? null : v.source().toString());
        node.put("architecture", v.architectureName());
        node.put("candidate", v.candidate());
        ArrayNode perTensorLayers = node.putArray("per_tensor_layers");
        v.perTensorLayers().stream().sorted().forEach(perTensorLayers::add);
        ArrayNode measured = node.putArray("measured_latency");
        for (LatencyMeasurement m : v.measurements()) {
            ObjectNode n = measured.addObject();
            n.put("runtime", m.runtime());
            n.put("median_ms", m.medianMs());
            n.put("p90_ms", m.p90Ms());
            n.put("runs", m.runs());
            n.put("warmup", m.warmup());
        }
        if (v.metrics() == null) {
            node.putNull("metrics");
        } else {
            metrics(node.putObject("metrics"), v.metrics());
        }
        if (v.lineage() == null) {
            node.putNull("lineage");
        } else {
            ObjectNode l = node.putObject("lineage");
            l.put("from", v.lineage().from());
            l.put("relation", v.lineage().relation());
            ArrayNode techniques = l.putArray("techniques");
            v.lineage().techniques().forEach(techniques::add);
            l.put("detail", v.lineage().detail());
        }
        if (v.teachers() == null) {
            node.putNull("distilled_from");
        } else {
            ObjectNode d = node.putObject("distilled_from");
            d.put("ensemble", v.teachers().ensemble());
            ArrayNode teachers = d.putArray("teachers");
            for (var t : v.teachers().teachers()) {
                ObjectNode n = teachers.addObject();
                n.put("sha256", t.sha256());
                n.put("architecture", t.architecture());
                n.put("parameters", t.parameters());
                n.put("file", t.file());
            }
        }
    }

    private static void ablationStep(ObjectNode node, AblationStep s) {
        node.put("from", s.from());
        node.put("to", s.to());
        node.put("relation", s.relation());
        ArrayNode techniques = node.putArray("techniques");
        s.techniques().forEach(techniques::add);
        node.put("detail", s.detail());
        node.put("alternatives", s.alternatives());
        ObjectNode accuracy = node.putObject("accuracy");
        accuracy.put("from", s.accuracyFrom());
        accuracy.put("to", s.accuracyTo());
        accuracy.put("delta_points", s.accuracyDeltaPoints());
        change(node.putObject("params"), s.params());
        change(node.putObject("weight_bytes"), s.weightBytes());
        change(node.putObject("weight_bytes_sparse"), s.sparseWeightBytes());
        change(node.putObject("file_bytes"), s.fileBytes());
        change(node.putObject("macs"), s.macs());
        ObjectNode sparsity = node.putObject("sparsity");
        sparsity.put("from", s.sparsityFrom());
        sparsity.put("to", s.sparsityTo());
    }

    private static void change(ObjectNode node, AblationStep.Change c) {
        node.put("from", c.from());
        node.put("to", c.to());
        node.put("delta", c.delta());
        if (Double.isNaN(c.ratio())) {
            node.putNull("ratio");
        } else {
            node.put("ratio", c.ratio());
        }
    }

    private static void metrics(ObjectNode node, ClassificationMetrics m) {
        node.put("num_classes", m.numClasses());
        node.put("examples", m.examples());
        node.put("accuracy", m.accuracy());
        node.put("balanced_accuracy", m.balancedAccuracy());
        ArrayNode precision = node.putArray("precision");
        m.precision().forEach(precision::add);
        ArrayNode recall = node.putArray("recall");
        m.recall().forEach(recall::add);
        ArrayNode confusion = node.putArray("confusion");
        for (List<Integer> row : m.confusion()) {
            ArrayNode r = confusion.addArray();
            row.forEach(r::add);
        }
        ConfidenceInterval ci = m.accuracyInterval();
        if (ci == null) {
            node.putNull("accuracy_ci");
        } else {
            ObjectNode n = node.putObject("accuracy_ci");
            n.put("lower", ci.lower());
            n.put("upper", ci.upper());
            n.put("level", ci.level());
            n.put("resamples", ci.resamples());
            n.put("seed", ci.seed());
        }
        node.put("expected_calibration_error", m.calibrationError());
        node.put("teacher_agreement", m.teacherAgreement());
    }

    private static void row(ObjectNode node, ProfileRow row) {
        CostEstimate c = row.cost();
        node.put("variant", row.variant());
        node.put("profile", row.profileId());
        node.put("candidate", row.candidate());
        node.put("precision", c.precision().id());
        node.put("supported", c.supported());
        node.put("fits_ram", c.fitsRam());
        node.put("fits_flash", c.fitsFlash());
        node.put("ram_bytes_needed", c.ramBytes());
        node.put("peak_activation_bytes", c.peakActivationBytes());
        node.put("peak_activation_layer", c.peakLayer());
        node.put("weight_bytes", c.weightBytes());
        node.put("weight_bytes_sparse", c.sparseWeightBytes());
        node.put("flash_bytes_needed", c.flashBytes());
        optional(node, "latency_ms", c.latencyMillis());
        optional(node, "energy_uj", c.energyMicrojoules());
        optional(node, "accuracy_drop", row.accuracyDrop());
        optional(node, "min_accuracy", row.gate().minAccuracy());
        optional(node, "max_latency_ms", row.gate().maxLatencyMs());
        optional(node, "max_accuracy_drop", row.gate().maxAccuracyDrop());
        node.put("gate", row.passed() ? "pass" : "fail");
        ArrayNode reasons = node.putArray("reasons");
        row.reasons().forEach(reasons::add);
        ArrayNode layers = node.putArray("layers");
        for (LayerCost l : c.layers()) {
            ObjectNode layer = layers.addObject();
            layer.put("index", l.index());
            layer.put("op", l.op().id());
            layer.put("macs", l.macs());
            layer.put("weight_bytes", l.weightBytes());
            layer.put("bytes_moved", l.bytesMoved());
            layer.put("compute_ms", l.computeSeconds() * 1e3);
            layer.put("memory_ms", l.memorySeconds() * 1e3);
            layer.put("latency_ms", l.latencySeconds() * 1e3);
            layer.put("energy_uj", l.energyPicojoules() * 1e-6);
            layer.put("bound", l.memoryBound() ? "memory" : "compute");
        }
    }

    private static void deviceRow(ObjectNode n, DeviceRow d) {
        DeviceMeasurement m = d.measured();
        n.put("variant", d.variant());
        n.put("profile", d.profileId());
        n.put("core", m.core());
        n.put("machine", m.machine());
        n.put("measured", "flash and stack from the " + m.core() + " build (arm-none-eabi-gcc), instructions on "
                + "QEMU " + m.machine() + "; latency_ms = instructions x assumed cycles per instruction / clock");
        n.put("flash_bytes", m.flashBytes());
        n.put("flash_weight_bytes", m.flashWeightBytes());
        n.put("flash_code_bytes", m.flashCodeBytes());
        n.put("ram_bytes", m.ramBytes());
        n.put("arena_bytes", m.arenaBytes());
        n.put("stack_bytes", m.stackBytes());
        n.put("instructions_per_inference", m.instructionsPerInference());
        n.put("latency_ms", d.measuredLatencyMs());
        n.put("estimated_flash_bytes", d.estimatedFlashBytes());
        n.put("estimated_ram_bytes", d.estimatedRamBytes());
        optional(n, "estimated_latency_ms", d.estimatedLatencyMs());
        optional(n, "calibrated_latency_ms", d.calibratedLatencyMs());
        n.put("flash_error", d.flashError());
        n.put("ram_error", d.ramError());
        optional(n, "latency_error", d.latencyError());
        optional(n, "calibrated_latency_error", d.calibratedLatencyError());
    }

    private static void deployment(ObjectNode n, Deployment d) {
        n.put("profile", d.profileId());
        n.put("variant", d.variant());
        n.put("format", d.format().id());
        n.put("artifact", d.artifact());
        n.put("artifact_bytes", d.artifactBytes());
        n.put("download_bytes", d.downloadBytes());
        ObjectNode links = n.putObject("download_seconds");
        d.downloadSeconds().forEach(links::put);
        n.put("inferences_per_day", d.inferencesPerDay());
        optional(n, "energy_j_per_day", d.joulesPerDay());
    }

    private static void optional(ObjectNode node, String field, OptionalDouble value) {
        if (value.isPresent()) {
            node.put(field, value.getAsDouble());
        } else {
            node.putNull(field);
        }
    }
}
