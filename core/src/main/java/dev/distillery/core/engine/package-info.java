/**
 * The engine boundary seen from the project's side: objectives, graph hooks and learning rates as serializable
 * descriptions, the {@link dev.distillery.core.engine.Network} and inference interfaces, and {@link
 * dev.distillery.core.engine.Engines}, which finds the engines on the classpath. Nothing here touches a native engine.
 */
package dev.distillery.core.engine;
