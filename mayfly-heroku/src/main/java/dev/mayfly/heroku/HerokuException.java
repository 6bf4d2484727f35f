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

  /**
   * Heroku refused the credentials or the account (401 a bad or expired token, 402 billing, 403 no
   * access, suspension or a two-factor demand): no retry can fix it, a person must.
   */
  boolean needsConfiguration() {
    return status == 401 || status == 402 || status == 403;
  }

  /** What to check for a {@link #needsConfiguration()} answer. */
  String whatToFix() {
    return switch (status) {
      case 401 ->
          "HEROKU_API_KEY is missing, invalid or expired: create a long-lived one with 'heroku"
              + " authorizations:create' and set it on the app";
      case 402 ->
          "the account that owns the app must confirm a payment method or settle its bill"
              + " (dashboard.heroku.com/account/billing)";
      default ->
          id.equals("two_factor")
              ? "Heroku wants a second factor for this call: use an authorization made for"
                  + " Mayfly ('heroku authorizations:create') rather than a user's session token"
              : "the key's account has no access to the app, or the app or account is suspended:"
                  + " check HEROKU_APP_NAME and 'heroku access --app APP'";
    };
  }

  /** The concurrent-dyno limit Heroku named in a cannot_run_above_limit answer, or 0. */
  int limit() {
    return limit;
  }
}
