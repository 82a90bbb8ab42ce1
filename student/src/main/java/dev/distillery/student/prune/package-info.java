/** Pruning: magnitude-based sparsity and the masks that keep pruned weights at zero during fine-tuning. */
package dev.distillery.student.prune;
