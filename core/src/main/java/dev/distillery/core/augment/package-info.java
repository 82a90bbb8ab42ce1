/**
 * Deterministic augmented views of an example: view v of example id under seed s is a pure function of
 * (id, v, s), so the student regenerates exactly the input the teacher labelled instead of storing pixels.
 */
package dev.distillery.core.augment;
