package dev.distillery.student.mcu;

/** C array definitions, wrapped at about 110 columns. */
final class CArrays {
    private static final int WIDTH = 110;

    private CArrays() {
    }

    static void int8(StringBuilder b, String declaration, byte[] values) {
        String[] v = new String[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Byte.toString(values[i]);
        }
        write(b, declaration, v);
    }

    static void uint8(StringBuilder b, String declaration, int[] values) {
        String[] v = new String[values.length];
        for (int i = 0; i < v.length; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException(declaration + " value " + values[i] + " is not a byte");
            }
            v[i] = Integer.toString(values[i]);
        }
        write(b, declaration, v);
    }

    static void int32(StringBuilder b, String declaration, int[] values) {
        String[] v = new String[values.length];
        for (int i = 0; i < v.length; i++) {
            // -2147483648 is not a C constant (unary minus applied to a number beyond int), so spell it out
            v[i] = values[i] == Integer.MIN_VALUE ? "(-2147483647 - 1)" : Integer.toString(values[i]);
        }
        write(b, declaration, v);
    }

    /** Hexadecimal floating constants, which C99 reads back to exactly the same double. */
    static void float64(StringBuilder b, String declaration, double[] values) {
        String[] v = new String[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.toHexString(values[i]);
        }
        write(b, declaration, v);
    }

    private static void write(StringBuilder b, String declaration, String[] values) {
        b.append(declaration).append('[').append(values.length).append("] = {\n");
        StringBuilder line = new StringBuilder("   ");
        for (int i = 0; i < values.length; i++) {
            String item = " " + values[i] + (i + 1 < values.length ? "," : "");
            if (line.length() + item.length() > WIDTH) {
                b.append(line).append('\n');
                line = new StringBuilder("   ");
            }
            line.append(item);
        }
        b.append(line).append("\n};\n");
    }
}
