package dev.mayfly.examples.typocheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GitHubWebhookTest {
  /** The example in GitHub's "Validating webhook deliveries". */
  private static final String SECRET = "It's a Secret to Everybody";

  private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  private static final String SIGNATURE =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  private final GitHubWebhook webhook = new GitHubWebhook(SECRET, null, null);

  @Test
  void signsAsGitHubDocumentsIt() {
    assertThat(GitHubWebhook.signature(SECRET, BODY)).isEqualTo(SIGNATURE);
    assertThat(webhook.signedWithOurSecret(BODY, SIGNATURE)).isTrue();
  }

  @Test
  void refusesAnyOtherSignature() {
    assertThat(webhook.signedWithOurSecret(BODY, null)).isFalse();
    assertThat(webhook.signedWithOurSecret(BODY, SIGNATURE.replace("sha256=", "sha1="))).isFalse();
    assertThat(webhook.signedWithOurSecret(BODY, SIGNATURE.substring(0, 20))).isFalse();
    assertThat(webhook.signedWithOurSecret(BODY, "sha256=not-hex")).isFalse();
    assertThat(
            webhook.signedWithOurSecret(
                "Hello, World?".getBytes(StandardCharsets.UTF_8), SIGNATURE))
        .isFalse();
    assertThat(webhook.signedWithOurSecret(BODY, GitHubWebhook.signature("another", BODY)))
        .isFalse();
  }
}
