package dev.mayfly.api;

/** Lines written here are stored with the job, in order, and echoed to the runner's output. */
public interface JobLogger {

  void info(String message);

  void warn(String message);

  void error(String message);
}
