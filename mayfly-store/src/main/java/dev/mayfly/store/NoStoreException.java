package dev.mayfly.store;

/**
 * There is no Mayfly store where one was to be opened without making one: no such SQLite file, or a
 * database without Mayfly's tables. Nothing was created.
 */
public final class NoStoreException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * @param where the database, as it may be shown (no password)
   * @param why what was found there instead
   */
  public NoStoreException(String where, String why) {
    super("no Mayfly store at " + where + " (" + why + ")");
  }
}
