package dev.mayfly.spring.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** A bean with configuration of its own, which a job gets injected. */
@Component
public class Greeter {
  private final String greeting;
  private final String where;

  public Greeter(
      @Value("${sample.greeting}") String greeting, @Value("${sample.where:}") String where) {
    this.greeting = greeting;
    this.where = where;
  }

  public String greet(String name) {
    return greeting
        + ", "
        + name
        + (where.isEmpty() ? "" : " " + where)
        + " (pid "
        + ProcessHandle.current().pid()
        + ")";
  }
}
