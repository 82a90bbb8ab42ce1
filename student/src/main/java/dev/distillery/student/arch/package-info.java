/** Student architectures (depthwise-separable CNN, MLP) built from configuration. */
package dev.distillery.student.arch;
