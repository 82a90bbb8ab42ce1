package dev.distillery.core.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TensorLifetimesTest {

    @Test
    void peakActivationFollowsBufferLifetimesNotTheLargestLayer() {
        // conv 1->8 on 1x8x8 (in 64, out 512), relu in place, maxpool (512 -> 128), conv 8->8 1x1 (128 -> 128).
        Architecture arch = new Architecture("life", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(8, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(8, 1, 1), new LayerSpec.Flatten(),
                new LayerSpec.Dense(10)));

        TensorLifetimes plan = TensorLifetimes.of(arch.layerInfos());

        // Input is freed after layer 0; the conv output lives through the relu until the pool has read it.
        assertThat(plan.liveAt(0)).isEqualTo(64 + 512);
        assertThat(plan.liveAt(1)).isEqualTo(512);
        assertThat(plan.liveAt(2)).isEqualTo(512 + 128);
        assertThat(plan.liveAt(3)).isEqualTo(128 + 128);
        assertThat(plan.peak()).isEqualTo(new TensorLifetimes.Peak(640, 2));
    }

    @Test
    void reluAndFlattenShareTheBufferTheyReadSoAChainHasOneBufferPerWritingLayer() {
        Architecture arch = new Architecture("life", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(8, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(8, 1, 1), new LayerSpec.Flatten(),
                new LayerSpec.Dense(10)));

        List<TensorLifetimes.Buffer> buffers = TensorLifetimes.of(arch.layerInfos()).buffers();

        // input, conv (through the relu), pool, 1x1 conv (through the flatten), logits
        assertThat(buffers).containsExactly(new TensorLifetimes.Buffer(64, 0, 0), new TensorLifetimes.Buffer(512, 0, 2),
                new TensorLifetimes.Buffer(128, 2, 3), new TensorLifetimes.Buffer(128, 3, 5),
                new TensorLifetimes.Buffer(10, 5, 5));
        assertThat(TensorLifetimes.inPlace(new LayerSpec.Relu())).isTrue();
        assertThat(TensorLifetimes.inPlace(new LayerSpec.MaxPool(2))).isFalse();
    }
    @Test
    void aResidualAddKeepsTheOutputItReadsLiveAndGivesAnInPlaceReaderOfItItsOwnBuffer() {
        // conv (0) 4x8x8, relu (1) in place, conv (2), add from 1 (3), relu (4) in place, flatten, dense
        Architecture arch = new Architecture("res", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Add(1, false), new LayerSpec.Relu(),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));

        List<TensorLifetimes.Buffer> buffers = TensorLifetimes.of(arch.layerInfos()).buffers();

        // the block's input (conv 0 through its relu) lives until the add at step 3 has read it
        assertThat(buffers).containsExactly(new TensorLifetimes.Buffer(64, 0, 0), new TensorLifetimes.Buffer(256, 0, 3),
                new TensorLifetimes.Buffer(256, 2, 3), new TensorLifetimes.Buffer(256, 3, 6),
                new TensorLifetimes.Buffer(10, 6, 6));
        assertThat(TensorLifetimes.of(arch.layerInfos()).peak()).isEqualTo(new TensorLifetimes.Peak(768, 3));

        // a relu right after the tensor an add reads would overwrite it, so it writes a buffer of its own
        Architecture readBeforeRelu = new Architecture("res", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Add(0, false),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
        assertThat(TensorLifetimes.of(readBeforeRelu.layerInfos()).buffers()).contains(
                new TensorLifetimes.Buffer(256, 0, 3), new TensorLifetimes.Buffer(256, 1, 2));
    }
}
