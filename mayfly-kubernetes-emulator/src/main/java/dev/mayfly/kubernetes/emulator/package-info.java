/** A Kubernetes API server with a Job controller and a kubelet that runs pods as processes. */
@NullMarked // non-null unless @Nullable, checked by NullAway when this module compiles
package dev.mayfly.kubernetes.emulator;

import org.jspecify.annotations.NullMarked;
