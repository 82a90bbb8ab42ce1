/** Hint (FitNets) distillation planning: which teacher and student activations meet, and how their shapes match. */
package dev.distillery.student.hint;
