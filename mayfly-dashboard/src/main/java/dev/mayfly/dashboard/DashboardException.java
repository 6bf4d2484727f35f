package dev.mayfly.dashboard;

/** An error answered as {@code {"error": message}} with an HTTP status. */
final class DashboardException extends RuntimeException {
  final int status;

  DashboardException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
