package dev.mayfly.spring.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** A bean with configuration of its own, which a job gets injected. */
@Component
public class Greeter {
  private final String greeting;

  public Greeter(@Value("${sample.greeting}") String greeting) {
    this.greeting = greeting;
  }

  public String greet(String name) {
    return greeting + ", " + name + " (pid " + ProcessHandle.current().pid() + ")";
  }
}
