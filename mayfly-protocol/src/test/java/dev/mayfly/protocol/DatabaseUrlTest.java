package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseUrlTest {
  @TempDir Path dir;

  @Test
  void herokuStyleUrlsAreUnderstood() {
    PostgresUrl u =
        PostgresUrl.parse("postgres://alice:s%40cret@db.example.com:6543/app?sslmode=require");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/app?sslmode=require");
    assertThat(u.user()).isEqualTo("alice");
    assertThat(u.password()).isEqualTo("s@cret");
    assertThat(u.toString()).doesNotContain("cret");
    assertThat(PostgresUrl.parse("jdbc:postgresql://h/db?user=bob&password=x").user())
        .isEqualTo("bob");
    assertThat(DatabaseUrl.redact("jdbc:postgresql://h/db?user=bob&password=x"))
        .doesNotContain("=x");
  }

  @Test
  void twoSpellingsOfOneDatabaseAreTheSameDatabase() {
    assertThat(
            DatabaseUrl.sameDatabase(
                "postgres://bob:x@db.example.com:5432/app",
                "jdbc:postgresql://db.example.com/app?user=bob&password=x&sslmode=require"))
        .isTrue();
    assertThat(
            DatabaseUrl.sameDatabase(
                "postgres://bob:x@db.example.com:5432/app",
                "postgres://bob:x@db.example.com/other"))
        .isFalse();
    assertThat(DatabaseUrl.sameDatabase("postgres://bob@h/app", "postgres://eve@h/app")).isFalse();
    assertThat(DatabaseUrl.sameDatabase("/tmp/a/../a/m.db", "jdbc:sqlite:/tmp/a/m.db")).isTrue();
    assertThat(DatabaseUrl.sameDatabase("/tmp/a/m.db", "postgres://bob@h/app")).isFalse();
  }

  @Test
  void aFileReachedThroughALinkIsTheSameDatabase() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Files.createFile(real.resolve("m.db"));
    assertThat(
            DatabaseUrl.sameDatabase(
                real.resolve("m.db").toString(), "jdbc:sqlite:" + link.resolve("m.db")))
        .isTrue();
    assertThat(
            DatabaseUrl.sameDatabase(real.resolve("m.db").toString(), "sqlite:" + link + "/x.db"))
        .isFalse();
  }

  @Test
  void urlsAreNormalisedToAbsoluteFilesAndBadOnesExplained() {
    assertThat(DatabaseUrl.normalize("sqlite:x.db")).startsWith("jdbc:sqlite:/").endsWith("/x.db");
    assertThat(DatabaseUrl.normalize(null)).endsWith(".mayfly/mayfly.db");
    assertThatThrownBy(() -> DatabaseUrl.normalize("mysql://u:secret@h/db"))
        .hasMessageContaining("unrecognised database URL")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> DatabaseUrl.normalize("jdbc:sqlite::memory:"))
        .hasMessageContaining("file path");
  }
}
