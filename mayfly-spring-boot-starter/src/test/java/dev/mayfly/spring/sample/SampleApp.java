package dev.mayfly.spring.sample;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An app with a job that needs a bean: what the runner process must boot to run it. */
@SpringBootApplication
public class SampleApp {}
