package dev.distillery.engine.samediff;

import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.LearningRate;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.NetworkEngine;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.Architecture;

import java.util.Map;

/** The SameDiff engine (DL4J/ND4J with oneDNN), Distillery's network engine for training and float inference. */
public final class SameDiffEngine implements NetworkEngine {
    public static final String ID = "samediff";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Network forInference(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return SameDiffNet.forInference(arch, params, hooks);
    }

    @Override
    public Network forTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks, Objective objective,
                               LearningRate learningRate, double l2) {
        return SameDiffNet.forTraining(arch, params, hooks, objective, learningRate, l2);
    }

    @Override
    public Network forStatistics(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return SameDiffNet.forStatistics(arch, params, hooks);
    }

    @Override
    public void prepareJvm() {
        NativeSettings.useJvmDefaults();
    }

    @Override
    public Map<String, String> versions() {
        return Map.of("nd4j", nd4jVersion());
    }

    private static String nd4jVersion() {
        try {
            String impl = Class.forName("org.nd4j.linalg.factory.Nd4j").getPackage().getImplementationVersion();
            return impl != null ? impl : "1.0.0-M2.1";
        } catch (ClassNotFoundException | LinkageError e) {
            return "absent";
        }
    }
}
