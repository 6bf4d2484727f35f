package dev.mayfly.launch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOptionsTest {
  @TempDir Path dir;

  @AfterEach
  void clear() {
    System.clearProperty(LocalOptions.CLASS_PATH_PROPERTY);
  }

  @Test
  void runnersGetThisJvmsClassPathUnlessOneIsNamed() {
    assertThat(LocalOptions.defaults().classPath())
        .isEqualTo(System.getProperty("java.class.path"));
  }

  @Test
  void aNamedClassPathHasItsFolderWildcardsExpandedToJars() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Files.createFile(lib.resolve("b.jar"));
    Files.createFile(lib.resolve("a.jar"));
    Files.createFile(lib.resolve("notes.txt"));
    String app = dir.resolve("app.jar").toString();
    System.setProperty(
        LocalOptions.CLASS_PATH_PROPERTY,
        String.join(
            File.pathSeparator, app, lib + File.separator + "*", dir.resolve("none") + "/*"));
    assertThat(LocalOptions.defaults().classPath())
        .isEqualTo(
            String.join(
                File.pathSeparator,
                app,
                lib.resolve("a.jar").toString(),
                lib.resolve("b.jar").toString()));
  }
}
