package dev.distillery.student.tflite;

/**
 * How the uint8 outputs of an exported model compare with the integer runtime's float logits on the same rows.
 *
 * @param rows              rows compared
 * @param agreeFloat        rows whose output argmax equals the argmax of the runtime's float logits
 * @param agreeQuantized    rows whose output argmax equals the argmax of the runtime's logits quantized to the
 *                          output's scale and zero point (first index wins a tie, on both sides)
 * @param maxCodeDifference largest |output code - quantized runtime logit| over all outputs
 * @param maxSteps          largest |dequantized output - runtime logit| / scale over outputs whose runtime logit
 *                          lies inside the output's range
 * @param saturated         outputs whose runtime logit lies outside the output's range
 * @param correct           rows whose output argmax is the label
 * @param ambiguous         rows whose two largest runtime logits lie within one output step of each other, where
 *                          the code grid alone may tie or reorder them
 * @param unexplained       rows whose output argmax differs from the float logits' argmax although they are not
 *                          {@code ambiguous}
 */
record Agreement(int rows, int agreeFloat, int agreeQuantized, int maxCodeDifference, double maxSteps, int saturated,
                 int correct, int ambiguous, int unexplained) {

    static Agreement of(TfliteIo io, float[][] logits, byte[] outputs, int[] labels) {
        TensorQuantization q = io.output();
        int n = io.outputSize();
        double lo = q.dequantize(0);
        double hi = q.dequantize(255);
        int agreeFloat = 0;
        int agreeQuantized = 0;
        int maxCode = 0;
        double maxSteps = 0;
        int saturated = 0;
        int correct = 0;
        int ambiguous = 0;
        int unexplained = 0;
        for (int r = 0; r < logits.length; r++) {
            int[] device = new int[n];
            int[] reference = new int[n];
            for (int c = 0; c < n; c++) {
                device[c] = outputs[r * n + c] & 0xff;
                float logit = logits[r][c];
                reference[c] = q.quantize(logit);
                maxCode = Math.max(maxCode, Math.abs(device[c] - reference[c]));
                if (logit < lo || logit > hi) {
                    saturated++;
                } else {
                    maxSteps = Math.max(maxSteps, Math.abs(q.dequantize(device[c]) - logit) / q.scale());
                }
            }
            int predicted = argmax(device);
            boolean tied = topGap(logits[r]) < q.scale();
            agreeFloat += predicted == argmax(logits[r]) ? 1 : 0;
            unexplained += predicted != argmax(logits[r]) && !tied ? 1 : 0;
            agreeQuantized += predicted == argmax(reference) ? 1 : 0;
            correct += labels != null && predicted == labels[r] ? 1 : 0;
            ambiguous += tied ? 1 : 0;
        }
        return new Agreement(logits.length, agreeFloat, agreeQuantized, maxCode, maxSteps, saturated, correct,
                ambiguous, unexplained);
    }

    double accuracy() {
        return (double) correct / rows;
    }

    private static double topGap(float[] v) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            if (x > first) {
                second = first;
                first = x;
            } else if (x > second) {
                second = x;
            }
        }
        return first - second;
    }

    static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return String.format("argmax agreement %d/%d with float logits (%d rows within one step of a tie, %d"
                        + " disagreements outside them), %d/%d with quantized logits; max difference %d codes, %.3f"
                        + " steps unsaturated; %d saturated outputs; accuracy %.4f", agreeFloat, rows, ambiguous,
                unexplained, agreeQuantized, rows, maxCodeDifference, maxSteps, saturated, accuracy());
    }
}
