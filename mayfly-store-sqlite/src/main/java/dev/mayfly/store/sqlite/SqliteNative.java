package dev.mayfly.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * sqlite-jdbc's native library, extracted once for every runner to load. On its own the driver
 * copies the library out of its jar into a fresh temporary file on every start, after scanning the
 * temporary directory for copies left by earlier processes: a cost each one-off runner would pay
 * before its first claim.
 */
public final class SqliteNative {
  private SqliteNative() {}

  /**
   * Extracts the library for this platform into a folder of {@code dir} named by its checksum
   * (once; later calls find it there) and returns the system properties that make sqlite-jdbc load
   * that copy. Empty if the driver has no library for this platform, or it cannot be written:
   * runners then load it the driver's own way.
   */
  public static Map<String, String> extractedTo(Path dir) {
    try {
      String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
      String name = System.mapLibraryName("sqlitejdbc");
      byte[] library;
      try (InputStream in =
          SqliteNative.class.getResourceAsStream("/org/sqlite/native/" + folder + "/" + name)) {
        if (in == null) {
          return Map.of();
        }
        library = in.readAllBytes();
      }
      CRC32 crc = new CRC32();
      crc.update(library);
      Path home = dir.resolve("sqlite-" + Long.toHexString(crc.getValue()));
      Path file = home.resolve(name);
      if (!Files.isRegularFile(file) || Files.size(file) != library.length) {
        Files.createDirectories(home);
        Path tmp = Files.createTempFile(home, name, ".tmp");
        Files.write(tmp, library);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      return Map.of(
          "org.sqlite.lib.path", home.toString(),
          "org.sqlite.lib.name", name,
          // where the driver looks for stale copies of its own: a folder of one file
          "org.sqlite.tmpdir", home.toString());
    } catch (IOException | RuntimeException | LinkageError e) {
      return Map.of();
    }
  }
}
