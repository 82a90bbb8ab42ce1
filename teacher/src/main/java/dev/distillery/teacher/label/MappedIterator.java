package dev.distillery.teacher.label;

import java.util.Iterator;
import java.util.function.Function;

/** An iterator whose elements are another's, converted one by one as they are taken. */
final class MappedIterator<A, B> implements Iterator<B> {
    private final Iterator<A> source;
    private final Function<A, B> convert;

    MappedIterator(Iterator<A> source, Function<A, B> convert) {
        this.source = source;
        this.convert = convert;
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public B next() {
        return convert.apply(source.next());
    }
}
