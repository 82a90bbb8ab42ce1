/**
 * Test fixtures shared by the student tests: Fashion-MNIST slices, small architectures, random initialisation
 * and a short training loop, cached so that test classes in one JVM train each model once.
 */
package dev.distillery.student.testing;
