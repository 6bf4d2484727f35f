/** Runners as Kubernetes Jobs: found by Mayfly through {@code LauncherProvider}. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
package dev.mayfly.kubernetes;

import org.jspecify.annotations.NullMarked;
