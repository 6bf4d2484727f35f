package dev.mayfly.launch.contract;

/**
 * What a launcher starts in the contract suite instead of a runner: it does what {@code
 * MAYFLY_CONTRACT} says, so the suite can see each way a runner ends.
 *
 * <ul>
 *   <li>{@code exit N}: exits with code N
 *   <li>{@code print N}: prints {@code line 0} to {@code line N-1}, then exits 0
 *   <li>{@code sleep}: prints {@code sleeping}, then waits to be killed
 *   <li>{@code crash}: throws from {@code main}, as a runner that cannot start does
 * </ul>
 */
public final class ContractProcess {
  private ContractProcess() {}

  public static void main(String[] args) throws InterruptedException {
    String[] what = System.getenv().getOrDefault("MAYFLY_CONTRACT", "exit 0").split(" ");
    switch (what[0]) {
      case "exit" -> System.exit(Integer.parseInt(what[1]));
      case "print" -> {
        for (int i = 0; i < Integer.parseInt(what[1]); i++) {
          System.out.println("line " + i);
        }
      }
      case "sleep" -> {
        System.out.println("sleeping");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // the process waits to be ended: that is what is tested
      }
      case "crash" -> throw new IllegalStateException("contract crash: the runner cannot start");
      default -> throw new IllegalArgumentException("unknown MAYFLY_CONTRACT " + what[0]);
    }
  }
}
