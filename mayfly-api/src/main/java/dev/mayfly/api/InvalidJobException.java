package dev.mayfly.api;

/**
 * A job was refused before anything was written: unknown type, arguments that are not JSON or do
 * not bind to the job's record, bad options. The message names the problem and the fix.
 */
public class InvalidJobException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidJobException(String message) {
    super(message);
  }

  public InvalidJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
