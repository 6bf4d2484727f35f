/**
 * The runner protocol shared by the dispatcher, the launchers and the runner: see {@code
 * module-info}.
 */
package dev.mayfly.protocol;
