package dev.distillery.evaluation.report;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether a variant's quantization scheme is one a profile's toolchain takes: an integer variant whose layers of an
 * operator carry per-channel weight scales cannot run where the toolchain takes that operator per tensor only
 * (Arm Vela and NNAPI for fully connected layers). Float variants are not quantized and pass this check.
 */
public final class WeightSchemes {
    private WeightSchemes() {
    }

    /** Why the variant's scheme cannot run on the profile, one reason per operator; empty when it can. */
    public static List<String> violations(Variant variant, HardwareProfile profile) {
        if (!variant.precision().integer() || profile.toolchain().perTensorWeights().isEmpty()) {
            return List.of();
        }
        Map<Operator, List<Integer>> perChannel = new TreeMap<>();
        for (LayerInfo info : variant.architecture().layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            Operator op = Operator.of(info.spec());
            if (profile.toolchain().needsPerTensor(op) && !variant.perTensorLayers().contains(info.index())) {
                perChannel.computeIfAbsent(op, k -> new ArrayList<>()).add(info.index());
            }
        }
        List<String> reasons = new ArrayList<>();
        perChannel.forEach((op, layers) -> reasons.add(profile.id() + " takes " + op
                + " with per-tensor weights only, and layer" + (layers.size() > 1 ? "s " : " ")
                + layers.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " of " + variant.name() + " carry per-channel scales (" + profile.toolchain().perTensorRule() + ")"));
        return reasons;
    }
}
