package dev.mayfly.examples.typocheck;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seed's app: GitHub sends a push webhook, the app answers at once and enqueues one analysis
 * job per commit; each job runs in a one-off process that boots this same app without its web
 * server, so the job gets its beans (the commit reader, the spell checker, the findings table).
 */
@SpringBootApplication
public class TypoCheckApp {
  public static void main(String[] args) {
    SpringApplication.run(TypoCheckApp.class, args);
  }
}
