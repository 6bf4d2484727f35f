package dev.mayfly.examples.typocheck;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpellCheckerTest {
  private final SpellChecker spelling = new SpellChecker();

  @Test
  void findsMisspelledWordsWithTheirColumnAndCorrection() {
    assertThat(spelling.check("We recieve teh data."))
        .containsExactly(
            new SpellChecker.Typo("recieve", 4, "receive"),
            new SpellChecker.Typo("teh", 12, "the"));
  }

  @Test
  void splitsIdentifiersAndKeepsTheirCase() {
    assertThat(spelling.check("int maxLenght = MAX_LENGHT; // Seperate"))
        .containsExactly(
            new SpellChecker.Typo("Lenght", 8, "Length"),
            new SpellChecker.Typo("LENGHT", 21, "LENGTH"),
            new SpellChecker.Typo("Seperate", 32, "Separate"));
  }

  @Test
  void leavesWordsItDoesNotKnowAlone() {
    assertThat(spelling.check("final var jdbcUrl = kubeconfig.xyzzy();")).isEmpty();
    assertThat(spelling.size()).isGreaterThan(100);
  }
}
