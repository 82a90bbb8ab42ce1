/** Engine-free description of networks: layers, shapes, parameter counts, MACs and trained parameters. */
package dev.distillery.core.model;
