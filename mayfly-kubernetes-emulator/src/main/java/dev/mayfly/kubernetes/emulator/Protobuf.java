package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The few request bodies kubectl's typed clients send as Kubernetes protobuf ({@code
 * application/vnd.kubernetes.protobuf}, the {@code k8s\0} envelope) rather than JSON, read into the
 * JSON they stand for: the reviews of {@code kubectl auth}. The server answers in JSON, which those
 * clients accept too.
 */
final class Protobuf {
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  /** A message's fields by number: a name, and the nested message's fields (null: a string). */
  private record Field(String name, @Nullable Map<Integer, Field> message) {}

  private static final Map<Integer, Field> ACCESS_REVIEW =
      Map.of(
          2,
          new Field(
              "spec",
              Map.of(
                  1,
                  new Field(
                      "resourceAttributes",
                      Map.of(
                          1, new Field("namespace", null),
                          2, new Field("verb", null),
                          3, new Field("group", null),
                          4, new Field("version", null),
                          5, new Field("resource", null),
                          6, new Field("subresource", null),
                          7, new Field("name", null))),
                  2,
                  new Field(
                      "nonResourceAttributes",
                      Map.of(1, new Field("path", null), 2, new Field("verb", null))))));

  private static final Map<Integer, Field> RULES_REVIEW =
      Map.of(2, new Field("spec", Map.of(1, new Field("namespace", null))));

  private Protobuf() {}

  static boolean is(byte[] body) {
    return body.length >= MAGIC.length && Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, 4);
  }

  /** The JSON a protobuf body stands for; kinds it does not know come out with no fields. */
  static JsonNode json(byte[] body) {
    Reader envelope = new Reader(body, MAGIC.length, body.length);
    String apiVersion = "";
    String kind = "";
    byte[] raw = new byte[0];
    while (envelope.more()) {
      int tag = envelope.varint32();
      if (tag == (1 << 3 | 2)) {
        Reader type = envelope.nested();
        while (type.more()) {
          int t = type.varint32();
          if (t == (1 << 3 | 2)) {
            apiVersion = type.string();
          } else if (t == (2 << 3 | 2)) {
            kind = type.string();
          } else {
            type.skip(t);
          }
        }
      } else if (tag == (2 << 3 | 2)) {
        raw = envelope.bytes();
      } else {
        envelope.skip(tag);
      }
    }
    ObjectNode json = Wire.object().put("apiVersion", apiVersion).put("kind", kind);
    Map<Integer, Field> schema =
        switch (kind) {
          case "SelfSubjectAccessReview" -> ACCESS_REVIEW;
          case "SelfSubjectRulesReview" -> RULES_REVIEW;
          default -> Map.of();
        };
    read(new Reader(raw, 0, raw.length), schema, json);
    return json;
  }

  private static void read(Reader r, Map<Integer, Field> schema, ObjectNode into) {
    while (r.more()) {
      int tag = r.varint32();
      Field f = schema.get(tag >>> 3);
      if (f == null || (tag & 7) != 2) {
        r.skip(tag);
      } else if (f.message() == null) {
        into.put(f.name(), r.string());
      } else {
        read(r.nested(), f.message(), into.putObject(f.name()));
      }
    }
  }

  /** Protocol buffers' wire format, as far as these messages need it. */
  private static final class Reader {
    private final byte[] bytes;
    private int at;
    private final int end;

    Reader(byte[] bytes, int from, int end) {
      this.bytes = bytes;
      this.at = from;
      this.end = end;
    }

    boolean more() {
      return at < end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new IllegalArgumentException("the protobuf body ends inside a number");
        }
        byte b = bytes[at++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("a protobuf number is too long");
    }

    int varint32() {
      return (int) varint();
    }

    Reader nested() {
      int length = varint32();
      if (length < 0 || at + length > end) {
        throw new IllegalArgumentException("a protobuf field runs past its message");
      }
      Reader r = new Reader(bytes, at, at + length);
      at += length;
      return r;
    }

    byte[] bytes() {
      Reader r = nested();
      return Arrays.copyOfRange(bytes, r.at, r.end);
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> nested();
        case 5 -> at += 4;
        default -> throw new IllegalArgumentException("protobuf wire type " + (tag & 7));
      }
    }
  }
}
