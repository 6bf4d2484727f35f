/** Non-null unless @Nullable, checked by NullAway when this module compiles. */
@NullMarked
package dev.mayfly.cli;

import org.jspecify.annotations.NullMarked;
