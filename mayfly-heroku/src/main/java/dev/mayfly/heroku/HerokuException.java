package dev.mayfly.heroku;

/** The Platform API refused or failed; says which call, the status and Heroku's error id. */
final class HerokuException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String id;
  private final boolean atCapacity;
  private final int limit;

  HerokuException(
      String method, String path, int status, String id, String message, boolean atCapacity) {
    this(
        method
            + " "
            + path
            + " answered "
            + status
            + (id.isEmpty() ? "" : " " + id)
            + ": "
            + message,
        status,
        id,
        atCapacity,
        0);
  }

  private HerokuException(String text, int status, String id, boolean atCapacity, int limit) {
    super(text);
    this.status = status;
    this.id = id;
    this.atCapacity = atCapacity;
    this.limit = limit;
  }

  HerokuException withLimit(int limit) {
    return new HerokuException(String.valueOf(getMessage()), status, id, atCapacity, limit);
  }

  int status() {
    return status;
  }

  String id() {
    return id;
  }

  /** A limit was reached (budget, 429, concurrent dynos): the jobs should simply wait. */
  boolean atCapacity() {
    return atCapacity;
  }

  /** The concurrent-dyno limit Heroku named in a cannot_run_above_limit answer, or 0. */
  int limit() {
    return limit;
  }
}
