/**
 * Quantization of students: calibration, quantization-aware training hooks, conversion to integer models and
 * their file format. Scales follow the conventions of {@link dev.distillery.core.model.QuantSpec}.
 */
package dev.distillery.student.quant;
