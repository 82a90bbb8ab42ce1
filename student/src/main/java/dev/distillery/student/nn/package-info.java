/** The student's SameDiff graph code: distillation loss, pruning masks and fake quantization as graph hooks. */
package dev.distillery.student.nn;
