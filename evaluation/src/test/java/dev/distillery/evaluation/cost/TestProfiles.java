package dev.distillery.evaluation.cost;

import dev.distillery.evaluation.profile.Citation;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Operator;
import dev.distillery.evaluation.profile.Precision;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Round-number profiles whose roofline terms can be computed by hand. */
public final class TestProfiles {
    private TestProfiles() {
    }

    /** 1 M fp32 MAC/s, 4 M int8 MAC/s, 1 MB/s, 100/25 pJ per MAC, 10 pJ per byte; memory set by the caller. */
    public static HardwareProfile slow(String id, long ramBytes, long flashBytes, boolean weightsInRam,
                                       Set<Operator> ops) {
        return new HardwareProfile(id, "Slow test device", "round numbers", EnumSet.of(Precision.FP32, Precision.INT8),
                ramBytes, flashBytes, Map.of(Precision.FP32, 1e6, Precision.INT8, 4e6), 1e6,
                Map.of(Precision.FP32, 100.0, Precision.INT8, 25.0), 10.0, ops, weightsInRam, 0.0,
                List.of(new Citation("none", "test figures")));
    }

    public static HardwareProfile roomy() {
        return slow("roomy", 1L << 30, 1L << 30, false, EnumSet.allOf(Operator.class));
    }

    public static HardwareProfile fp32Only() {
        return new HardwareProfile("fp32-only", "Float device", "", EnumSet.of(Precision.FP32), 1L << 30, 1L << 30,
                Map.of(Precision.FP32, 1e6), 1e6, Map.of(Precision.FP32, 100.0), 10.0,
                EnumSet.allOf(Operator.class), false, 0.0, List.of(new Citation("none", "test figures")));
    }
}
