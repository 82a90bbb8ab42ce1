/** ONNX Runtime behind Distillery's inference interface: loads an exported ONNX graph and returns logits per batch. */
package dev.distillery.engine.onnxruntime;
