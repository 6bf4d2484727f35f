package dev.mayfly.spring;

/** A {@code mayfly.*} property Mayfly cannot take; the message names it and what to write. */
final class MayflySettingsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  MayflySettingsException(IllegalArgumentException e) {
    super(e.getMessage(), e);
  }
}
