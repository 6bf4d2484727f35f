package dev.mayfly.launch;

/** Programs the local launcher starts in tests, in place of the runner. */
public final class TestMains {
  private TestMains() {}

  /** Prints LINES numbered lines and the GREETING variable, then exits with EXIT_CODE. */
  public static final class Echo {
    public static void main(String[] args) {
      int lines = Integer.parseInt(System.getenv().getOrDefault("LINES", "3"));
      System.out.println("greeting " + System.getenv("GREETING"));
      for (int i = 0; i < lines; i++) {
        System.out.println("line " + i);
      }
      System.err.println("to stderr");
      System.exit(Integer.parseInt(System.getenv().getOrDefault("EXIT_CODE", "0")));
    }
  }

  /** Says it is ready, then waits to be killed. */
  public static final class Forever {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("ready");
      System.out.flush();
      Thread.currentThread().join();
    }
  }

  /** Like {@link Forever}, but its shutdown hook never ends: only SIGKILL stops it. */
  public static final class IgnoresSigterm {
    public static void main(String[] args) throws InterruptedException {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("refusing to stop");
                    System.out.flush();
                    while (true) {
                      Thread.onSpinWait();
                    }
                  }));
      System.out.println("ready");
      System.out.flush();
      Thread.currentThread().join();
    }
  }
}
