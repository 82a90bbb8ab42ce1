/**
 * JMH benchmarks of the training kernels (distillation loss, fake quantization, one training step), run by
 * bench/run.sh; the build compiles them so that they keep up with the code, and never runs them.
 */
package dev.distillery.bench.jmh;
