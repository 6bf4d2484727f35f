package dev.mayfly.examples.typocheck;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * GitHub's webhook: {@code POST /webhooks/github}. GitHub signs each delivery with the webhook's
 * secret, {@code X-Hub-Signature-256: sha256=} and the hex HMAC-SHA256 of the body; a delivery
 * whose signature does not match is refused with 401 before anything is read from it. A push is
 * answered as soon as its commits and jobs are stored (GitHub gives up after 10 s), the analysis
 * happening later in one-off processes.
 */
@RestController
public class GitHubWebhook {
  private static final String PREFIX = "sha256=";

  private final SecretKeySpec key;
  private final JsonMapper json;
  private final Pushes pushes;

  public GitHubWebhook(
      @Value("${typo-check.webhook-secret:}") String secret, JsonMapper json, Pushes pushes) {
    if (secret.isBlank()) {
      throw new IllegalStateException(
          "typo-check.webhook-secret is not set: set GITHUB_WEBHOOK_SECRET to the secret of the"
              + " repository's webhook (GitHub: Settings, Webhooks), so that deliveries can be"
              + " checked");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.json = json;
    this.pushes = pushes;
  }

  @PostMapping("/webhooks/github")
  public ResponseEntity<Map<String, Object>> receive(
      @RequestHeader(name = "X-Hub-Signature-256", required = false) @Nullable String signature,
      @RequestHeader(name = "X-GitHub-Event", required = false) @Nullable String event,
      @RequestBody(required = false) byte @Nullable [] body) {
    byte[] payload = body == null ? new byte[0] : body;
    if (!signedWithOurSecret(payload, signature)) {
      return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
          .body(
              Map.of(
                  "error",
                  signature == null
                      ? "no X-Hub-Signature-256 header: is the webhook's secret set?"
                      : "X-Hub-Signature-256 does not match the body signed with the secret"));
    }
    if ("ping".equals(event)) {
      return ResponseEntity.ok(Map.of("ok", true));
    }
    if (!"push".equals(event)) {
      return ResponseEntity.accepted().body(Map.of("ignored", String.valueOf(event)));
    }
    Pushes.PushEvent push;
    try {
      push = json.readValue(payload, Pushes.PushEvent.class);
    } catch (JacksonException e) {
      return ResponseEntity.badRequest()
          .body(Map.of("error", "not a push event payload: " + e.getOriginalMessage()));
    }
    if (push.repository() == null) {
      return ResponseEntity.badRequest().body(Map.of("error", "the payload has no repository"));
    }
    int enqueued = pushes.received(push);
    return ResponseEntity.accepted().body(Map.of("enqueued", enqueued));
  }

  /** GitHub's check: the header is {@code sha256=} and the HMAC, compared in constant time. */
  boolean signedWithOurSecret(byte[] body, @Nullable String signature) {
    if (signature == null || !signature.startsWith(PREFIX)) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signature.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sign(key, body), given);
  }

  static byte[] sign(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The header GitHub would send for {@code body}: for the demo and for tests. */
  public static String signature(String secret, byte[] body) {
    var key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    return PREFIX + HexFormat.of().formatHex(sign(key, body));
  }
}
