package dev.distillery.engine.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.List;

/**
 * The engine's {@code bitcast}: a tensor's bits read as another type of the same width, in a graph. (ND4J's own
 * graph constructor for it takes the type as a second tensor, which the kernel does not read.)
 */
final class Bitcast extends DynamicCustomOp {

    /** As every engine op class has one, for code that instantiates ops by class. */
    public Bitcast() {
    }

    Bitcast(SameDiff sd, SDVariable in, DataType to) {
        super(null, sd, new SDVariable[]{in});
        addIArgument(to.toInt());
    }

    /**
     * {@code x} unchanged in value, as a tensor that the engine's autodiff does not trace back to {@code x}: the
     * gradient function follows floating-point inputs only, and here the bits pass through a 32-bit integer tensor.
     */
    static SDVariable opaque(SameDiff sd, SDVariable x) {
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a FLOAT tensor, " + x.name() + " is " + x.dataType());
        }
        SDVariable bits = new Bitcast(sd, x, DataType.INT32).outputVariable();
        return new Bitcast(sd, bits, DataType.FLOAT).outputVariable();
    }

    @Override
    public String opName() {
        return "bitcast";
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputDataTypes) {
        return List.of(DataType.fromInt((int) iArgs()[0]));
    }
}
