package dev.mayfly.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class JobThreadTest {
  private static boolean alive(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  @Test
  void jobsRunOneAfterTheOtherOnOnePlatformThreadThatEndsWhenClosed() throws Exception {
    JobThread jobs = new JobThread("job-thread-test-1");
    Thread first = jobs.run("a", Thread::currentThread).get();
    Thread second = jobs.run("b", Thread::currentThread).get();
    assertThat(first).isSameAs(second);
    assertThat(first.isVirtual()).isFalse();

    jobs.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive("job-thread-test-1"));
  }

  @Test
  void anInterruptReachesOnlyTheJobItIsMeantFor() throws Exception {
    JobThread jobs = new JobThread("job-thread-test-2");
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted =
        jobs.run(
            "sleeper",
            () -> {
              started.countDown();
              try {
                new CountDownLatch(1).await(); // only the interrupt below ends it
                return false;
              } catch (InterruptedException e) {
                return true;
              }
            });
    started.await();
    jobs.interrupt("someone else");
    jobs.interrupt("sleeper");
    assertThat(interrupted.get()).isTrue();

    jobs.interrupt("sleeper"); // too late: it has ended, and the next job starts clean
    assertThat(jobs.run("next", () -> Thread.currentThread().isInterrupted()).get()).isFalse();
    jobs.close();
  }
}
