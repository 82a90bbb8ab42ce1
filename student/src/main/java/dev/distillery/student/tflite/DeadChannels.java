package dev.distillery.student.tflite;

import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives output channels whose weight codes are all zero (channels pruned away) a weight scale TFLite's kernels
 * accept. Such a channel's accumulator is its bias alone, so its weight scale only sets the unit of that bias; the
 * quantizer floors an all-zero channel's scale near 1e-10, which makes a requantization multiplier below the 2^-32
 * int8 kernels accept. The channel gets the scale that makes its multiplier exactly 1 (output scale / input scale;
 * for the final layer the largest scale of the layer), and its bias is re-expressed in that unit, rounded: the
 * output code is round(bias x old multiplier) either way.
 */
final class DeadChannels {
    private DeadChannels() {
    }

    static IntegerModel rescaled(IntegerModel model) {
        List<IntegerLayer> layers = new ArrayList<>();
        boolean changed = false;
        for (IntegerLayer layer : model.layers()) {
            IntegerLayer fixed = rescaled(layer);
            changed |= fixed != layer;
            layers.add(fixed);
        }
        return changed ? new IntegerModel(model.architecture(), model.weightBits(), model.activationBits(),
                model.inputScale(), model.inputZeroPoint(), layers, model.metadata()) : model;
    }

    private static IntegerLayer rescaled(IntegerLayer layer) {
        int channels = layer.channels();
        boolean[] live = new boolean[channels];
        byte[] codes = layer.weights();
        // every layout the exporters read ([kH,kW,C,F], [kH,kW,C,1], [in,units]) ends in the output channel
        for (int i = 0; i < codes.length; i++) {
            live[i % channels] |= codes[i] != 0;
        }
        float widest = 0;
        for (float s : layer.weightScale()) {
            widest = Math.max(widest, s);
        }
        float[] scale = layer.weightScale().clone();
        int[] bias = layer.bias().clone();
        boolean changed = false;
        for (int c = 0; c < channels; c++) {
            if (live[c]) {
                continue;
            }
            float target = layer.requantized() ? (float) (layer.outputScale() / layer.inputScale()) : widest;
            if (!(target > scale[c])) {
                continue;
            }
            bias[c] = (int) Math.round((double) bias[c] * scale[c] / target);
            scale[c] = target;
            changed = true;
        }
        return changed ? new IntegerLayer(layer.index(), layer.weightBits(), codes, bias, scale, layer.inputScale(),
                layer.outputScale(), layer.outputZeroPoint(), layer.multiplier(), layer.shift()) : layer;
    }
}
