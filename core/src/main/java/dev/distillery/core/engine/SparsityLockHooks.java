package dev.distillery.core.engine;

/**
 * Computes with {@code w * sign(|w|)}: the same values, but a weight that is exactly zero gets no gradient, so
 * (with its optimizer state cleared) it stays zero. Unlike {@link PruneMaskHooks} the mask follows the weights
 * themselves, so a schedule that prunes more weights between rounds needs no new graph.
 */
public record SparsityLockHooks() implements GraphHooks {
    private static final long serialVersionUID = 1L;
}
