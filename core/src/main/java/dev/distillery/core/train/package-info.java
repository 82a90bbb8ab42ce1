/** Distillery's own synchronous data-parallel training on Spark: broadcast, per-partition training, tree averaging. */
package dev.distillery.core.train;
