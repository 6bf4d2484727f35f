package dev.mayfly.launch.local;

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

  /** Prints one line of LONG_LINE bytes, then one short line, then LONG_LINE bytes with no end. */
  public static final class LongLine {
    public static void main(String[] args) {
      int size = Integer.parseInt(System.getenv("LONG_LINE"));
      byte[] chunk = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (int round = 0; round < 2; round++) {
        for (int left = size; left > 0; left -= chunk.length) {
          System.out.write(chunk, 0, Math.min(left, chunk.length));
        }
        System.out.print(round == 0 ? "\nshort\n" : "");
      }
      System.out.flush();
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
