/**
 * The SameDiff engine (DL4J/ND4J 1.0.0-M2.1): graph building, objectives and hooks as graph code, the network
 * wrapper, and the native settings and kernel choices that make it fast. Only this package imports ND4J.
 */
package dev.distillery.engine.samediff;
