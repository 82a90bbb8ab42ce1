package dev.distillery.student.mcu;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;

/** Layer names for messages and comments, and the weight layouts the C kernels read. */
final class CLayers {
    private CLayers() {
    }

    static String describe(LayerInfo info) {
        return info.describe();
    }

    /**
     * Weight codes in the order the kernels read them: conv [kH,kW,C,F] to [F][C][kH][kW], depthwise [kH,kW,C,1]
     * to [C][kH][kW], dense [in,units] to [units][in], so that each output's taps are consecutive bytes.
     */
    static byte[] kernelOrder(LayerInfo info, byte[] codes) {
        LayerSpec spec = info.spec();
        byte[] out = new byte[codes.length];
        if (spec instanceof LayerSpec.Dense) {
            int inputs = info.input().channels();
            int units = info.output().channels();
            for (int i = 0; i < inputs; i++) {
                for (int u = 0; u < units; u++) {
                    out[u * inputs + i] = codes[i * units + u];
                }
            }
            return out;
        }
        int k = info.weightShape()[0];
        int c = info.weightShape()[2];
        int f = info.weightShape()[3];
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int fi = 0; fi < f; fi++) {
                        // depthwise has f = 1: [C][kH][kW]
                        out[((fi * c + ci) * k + ky) * k + kx] = codes[((ky * k + kx) * c + ci) * f + fi];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Codes of at most 4 bits two per byte, low nibble first, each row of {@code rowLength} codes starting on a
     * byte of its own (an odd row ends in a zero nibble).
     */
    static byte[] packNibbles(byte[] codes, int rowLength) {
        int rows = codes.length / rowLength;
        int rowBytes = (rowLength + 1) / 2;
        byte[] out = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < rowLength; i++) {
                int nibble = codes[r * rowLength + i] & 0xF;
                out[r * rowBytes + i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
            }
        }
        return out;
    }
}
