/** The SameDiff engine boundary: graph building, training objectives, hooks and the network wrapper. */
package dev.distillery.core.nn;
