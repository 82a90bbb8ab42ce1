/** Runs variants for real on this machine: logits for the metrics, and batch-1 latency through ONNX Runtime, SameDiff
 * and the integer runtime, to check the cost model's estimates against measurements. */
package dev.distillery.evaluation.measure;
