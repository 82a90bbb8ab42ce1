package dev.distillery.core.engine;

import java.util.Objects;

/** {@code first}'s rewrites, then {@code second}'s on their result. */
public record ChainedHooks(GraphHooks first, GraphHooks second) implements GraphHooks {
    private static final long serialVersionUID = 1L;

    public ChainedHooks {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }
}
