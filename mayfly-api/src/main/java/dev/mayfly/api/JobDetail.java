package dev.mayfly.api;

import java.util.List;

/** A job with its history: every attempt and every log line. */
public record JobDetail(JobInfo job, List<AttemptInfo> attempts, List<LogLine> log) {}
