package dev.distillery.core.train;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.model.ModelArtifact;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "Precise" batch norm statistics: a network trains with batch statistics, and its population mean and variance
 * are then computed with the trained weights over a fixed sample of training rows, taken as one batch, so every
 * batch norm sees its input as normalised by the statistics of the layers before it. Nothing running is averaged
 * across workers: the statistics always belong to the parameters they are stored with.
 */
public final class PreciseBatchNorm {
    /** Training rows the population statistics are computed over. */
    public static final int SAMPLE_ROWS = 1024;

    private PreciseBatchNorm() {
    }

    /** {@code model} with its batch norm mean and variance recomputed over {@code sample}; unchanged without batch norm. */
    public static ModelArtifact refresh(ModelArtifact model, GraphHooks hooks, float[][] sample) {
        if (!model.architecture().hasBatchNorm()) {
            return model;
        }
        if (sample == null || sample.length < 2) {
            throw new DataContractException("batch norm statistics of " + model.architecture().name()
                    + " need at least 2 training rows, found " + (sample == null ? 0 : sample.length));
        }
        Network net = Engines.network().forStatistics(model.architecture(), model.params(), hooks);
        Map<String, float[]> params = new LinkedHashMap<>(model.params());
        params.putAll(net.batchStatistics(sample));
        return model.withParams(params);
    }

    /**
     * {@code base}'s parameters with the trained ones replaced or added (a loss's own tensors, such as a hint
     * projection, ride along); statistics are kept until the next refresh.
     */
    public static ModelArtifact withTrainable(ModelArtifact base, Map<String, float[]> trainable) {
        Map<String, float[]> params = new LinkedHashMap<>(base.params());
        params.putAll(trainable);
        return base.withParams(params);
    }
}
