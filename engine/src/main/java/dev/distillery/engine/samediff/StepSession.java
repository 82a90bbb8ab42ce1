package dev.distillery.engine.samediff;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.TrainingSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One network's training session, kept for all its steps. {@code SameDiff.fit} builds a new session, and with it a
 * new memory manager, for every minibatch; this one lives as long as the network, writes every step's tensors into a
 * {@link StepArena}, and forgets each step's bookkeeping when the step ends (the engine's session would otherwise
 * remember every released array's id for as long as it lives).
 */
final class StepSession extends TrainingSession {
    private final SameDiff network;
    private final StepArena arena = new StepArena();
    private final Set<String> trained = new LinkedHashSet<>();
    /** The variables the last subgraph was traced for, and that subgraph's variables and ops in traced order. */
    private Set<String> tracedFor;
    private List<String> tracedVariables;
    private List<String> tracedOps;

    /** A session for {@code network}, whose training configuration is set. */
    StepSession(SameDiff network) {
        super(gradientGraph(network));
        this.network = network;
        setMmgr(arena);
        sameDiff.setTrainingConfig(network.getTrainingConfig());
        for (var v : network.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                trained.add(v.name());
            }
        }
    }

    private static SameDiff gradientGraph(SameDiff network) {
        if (network.getFunction("grad") == null) {
            network.createGradFunction();
        }
        return network.getFunction("grad");
    }

    /**
     * One training step on {@code batch} (features and labels in the order of the training configuration's
     * mappings) at the configuration's current iteration, as {@code SameDiff.fit} would take it.
     */
    void step(MultiDataSet batch) {
        TrainingConfig config = network.getTrainingConfig();
        Map<String, INDArray> placeholders = new HashMap<>();
        List<String> features = config.getDataSetFeatureMapping();
        for (int i = 0; i < features.size(); i++) {
            placeholders.put(features.get(i), batch.getFeatures(i));
        }
        List<String> labels = config.getDataSetLabelMapping();
        for (int i = 0; labels != null && i < labels.size(); i++) {
            placeholders.put(labels.get(i), batch.getLabels(i));
        }
        At at = At.builder().epoch(config.getEpochCount()).iteration(config.getIterationCount())
                .trainingThreadNum(0).javaThreadNum(Thread.currentThread().getId())
                .operation(Operation.TRAINING).build();
        List<Listener> listeners = network.getListeners();
        try {
            trainingIteration(config, placeholders, trained, network.getUpdaterMap(), batch,
                    network.getLossVariables(), listeners, at);
        } finally {
            nodeValueOutputs.clear();
            freedArrays.clear();
            arena.endStep();
        }
    }

    /**
     * The ops a step must run are the same for every step of a network, and tracing them again each time (through
     * name lookups that compile a regular expression per variable) was a quarter of the session's own time in a
     * step, so the first trace is kept and replayed in its order.
     */
    @Override
    protected void initSubgraph(Set<String> variables) {
        if (variables.equals(tracedFor)) {
            subgraph.addAll(tracedVariables);
            subgraphOps.addAll(tracedOps);
            return;
        }
        super.initSubgraph(variables);
        tracedFor = Set.copyOf(variables);
        tracedVariables = List.copyOf(subgraph);
        tracedOps = List.copyOf(subgraphOps);
    }

    /** Buffers the arena has created so far (tests read it to see that steps reuse them). */
    long buffersAllocated() {
        return arena.allocated();
    }
}
