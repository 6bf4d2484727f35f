package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineCapTest {
  private static List<String> read(Reader in, int max) throws IOException {
    List<String> lines = new ArrayList<>();
    LineCap.read(in, max, lines::add);
    return lines;
  }

  @Test
  void aLineWithinTheCapIsKeptWhole() {
    String line = "x".repeat(1000);
    assertThat(LineCap.cut(line, 1000)).isSameAs(line);
    assertThat(LineCap.cut("é".repeat(500), 1000)).isEqualTo("é".repeat(500));
  }

  @Test
  void aLongerLineKeepsItsHeadAndSaysHowManyBytesWereCutWithinTheCap() {
    String cut = LineCap.cut("a".repeat(300) + "b".repeat(5_000_000), 1000);
    assertThat(cut).startsWith("a".repeat(300) + "b").endsWith(" bytes]");
    assertThat(LineCap.utf8Length(cut)).isLessThanOrEqualTo(1000);
    long kept = cut.indexOf("...");
    assertThat(cut).endsWith("... [truncated " + (5_000_300 - kept) + " bytes]");
    assertThat(LineCap.cut(cut, 1000)).as("cut once").isSameAs(cut);
  }

  @Test
  void aCutNeverSplitsACharacter() {
    String emoji = "\uD83D\uDE00"; // 4 bytes in UTF-8
    for (int pad = 0; pad < 4; pad++) {
      String cut = LineCap.cut("x".repeat(pad) + emoji.repeat(200), 300);
      String head = cut.substring(0, cut.indexOf("..."));
      assertThat(Character.isHighSurrogate(head.charAt(head.length() - 1))).isFalse();
      assertThat(LineCap.utf8Length(cut)).isLessThanOrEqualTo(300);
    }
  }

  @Test
  void readingSplitsLinesAsReadLineDoes() throws IOException {
    assertThat(read(new StringReader("a\nb\r\nc\rd\n\ne"), 256))
        .containsExactly("a", "b", "c", "d", "", "e");
    assertThat(read(new StringReader(""), 256)).isEmpty();
    assertThat(read(new StringReader("one\n"), 256)).containsExactly("one");
  }

  @Test
  void aLineWithoutEndIsCutWhileItIsReadAsCutWouldCutIt() throws IOException {
    // 50 MB without a newline, produced as it is read: never held whole
    long size = 50L * 1024 * 1024;
    Reader endless =
        new Reader() {
          long left = size;

          @Override
          public int read(char[] buf, int off, int len) {
            if (left == 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(buf, off, off + n, 'z');
            left -= n;
            return n;
          }

          @Override
          public void close() {}
        };
    List<String> lines = read(endless, LineCap.DEFAULT);
    assertThat(lines).hasSize(1);
    assertThat(LineCap.utf8Length(lines.getFirst())).isLessThanOrEqualTo(LineCap.DEFAULT);
    assertThat(lines.getFirst()).startsWith("zzz").endsWith(" bytes]");

    String mixed = "é" + "\uD83D\uDE00".repeat(100) + "tail";
    List<String> read = read(new StringReader("short\n" + mixed + "\nnext"), 300);
    assertThat(read).containsExactly("short", LineCap.cut(mixed, 300), "next");
  }
}
