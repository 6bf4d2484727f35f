package dev.mayfly.kubernetes.emulator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The emulated API server's address. fabric8's mock server keeps the objects, but speaks too little
 * Kubernetes for kubectl: this front serves {@code GET .../pods/NAME/log} itself (with {@code
 * follow}, {@code timestamps}, {@code sinceTime}, {@code sinceSeconds} and {@code tailLines}, as
 * the API server does), pipes WebSocket watches (fabric8's) to the mock server unchanged, and
 * answers every other request through {@link Resources}.
 *
 * <p>One request a connection: every answer says {@code Connection: close}, so a client never sends
 * a second request down a piped WebSocket connection either.
 */
final class ApiFront implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.kubernetes.emulator");
  private static final Pattern POD_LOG =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(?:\\?(.*))?");
  private static final int MAX_HEAD = 64 * 1024;

  /** Where the front finds a pod's log, and why there is none yet. */
  interface Pods {
    @Nullable PodLog log(String namespace, String pod);

    /**
     * Why a pod that has no log yet has none ({@code container "c" in pod "p" is waiting to start:
     * ...}); null if there is no such pod.
     */
    @Nullable String waiting(String namespace, String pod);
  }

  private final ServerSocket socket;
  private final int upstream;
  private final Pods pods;
  private final Resources resources;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Socket> following = ConcurrentHashMap.newKeySet();

  ApiFront(int port, int upstream, Pods pods, Resources.Cluster cluster, Store store)
      throws IOException {
    this.socket = new ServerSocket(port, 200, InetAddress.getLoopbackAddress());
    this.upstream = upstream;
    this.pods = pods;
    this.resources =
        new Resources(
            store,
            cluster,
            InetAddress.getLoopbackAddress().getHostAddress() + ":" + socket.getLocalPort());
    Thread accept = new Thread(this::accept, "kubernetes-emulator-front");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        open.add(client);
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        if (!socket.isClosed()) {
          LOG.log(Level.WARNING, "emulated API server: accept failed: {0}", e.getMessage());
        }
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      byte[] head = head(in);
      if (head == null) {
        return;
      }
      String text = new String(head, StandardCharsets.ISO_8859_1);
      String[] parts = text.split("\r\n", 2)[0].split(" ", -1);
      Matcher log = parts.length < 2 ? null : POD_LOG.matcher(parts[1]);
      if (log != null && parts[0].equals("GET") && log.matches()) {
        following.add(client);
        serveLog(client.getOutputStream(), log.group(1), log.group(2), query(log.group(3)));
      } else if (text.toLowerCase(java.util.Locale.ROOT).contains("\r\nupgrade: websocket")) {
        pipe(head, in, client);
      } else {
        ApiRequest request = ApiRequest.read(head, in);
        OutputStream out = new java.io.BufferedOutputStream(client.getOutputStream());
        try {
          resources.handle(request, in, out);
        } catch (RuntimeException e) {
          LOG.log(
              Level.WARNING,
              "emulated API server: {0} {1} failed: {2}",
              request.method(),
              request.path(),
              e);
          Wire.reply(out, 500, Wire.status(500, "InternalError", String.valueOf(e)));
        }
        out.flush();
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "emulated API server: connection ended: {0}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
      following.remove(client);
    }
  }

  /** The request line and headers, or null if the client closed first. */
  private static byte @Nullable [] head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEAD) {
        throw new IOException("request head over " + MAX_HEAD + " bytes");
      }
    }
    return head.toByteArray();
  }

  private void pipe(byte[] head, InputStream in, Socket client) throws IOException {
    try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream)) {
      open.add(up); // closed with the front, so the mock server has no connection left to wait for
      OutputStream toUpstream = up.getOutputStream();
      toUpstream.write(head);
      toUpstream.flush();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  in.transferTo(toUpstream);
                  up.shutdownOutput();
                } catch (IOException e) {
                  // either side closed: the other direction ends the connection
                }
              });
      up.getInputStream().transferTo(client.getOutputStream());
    } finally {
      open.removeIf(s -> s.isClosed());
    }
  }

  private static Map<String, String> query(@Nullable String query) {
    Map<String, String> params = new HashMap<>();
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        String[] kv = pair.split("=", 2);
        params.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return params;
  }

  private void serveLog(OutputStream out, String ns, String pod, Map<String, String> params)
      throws IOException, InterruptedException {
    PodLog log = pods.log(ns, pod);
    if (log == null) {
      String waiting = pods.waiting(ns, pod);
      if (waiting != null) {
        status(out, 400, "BadRequest", waiting);
      } else {
        status(out, 404, "NotFound", "pods \"" + pod + "\" not found");
      }
      return;
    }
    Instant since;
    Integer tail;
    try {
      since =
          params.containsKey("sinceTime")
              ? Instant.parse(params.get("sinceTime"))
              : params.containsKey("sinceSeconds")
                  ? Instant.now().minusSeconds(Long.parseLong(params.get("sinceSeconds")))
                  : null;
      tail = params.containsKey("tailLines") ? Integer.valueOf(params.get("tailLines")) : null;
    } catch (DateTimeParseException | NumberFormatException e) {
      status(out, 400, "BadRequest", "invalid log options: " + e.getMessage());
      return;
    }
    boolean follow = "true".equals(params.get("follow"));
    boolean timestamps = "true".equals(params.get("timestamps"));
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    PodLog.Batch batch = log.read(0, 0);
    List<PodLog.Line> first =
        batch.lines().stream().filter(l -> since == null || !l.at().isBefore(since)).toList();
    if (tail != null && first.size() > tail) {
      first = first.subList(first.size() - tail, first.size());
    }
    chunk(out, first, timestamps);
    long next = batch.next();
    boolean ended = batch.ended();
    while (follow && !ended) {
      batch = log.read(next, 5_000);
      chunk(out, batch.lines(), timestamps);
      next = batch.next();
      ended = batch.ended();
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void chunk(OutputStream out, List<PodLog.Line> lines, boolean timestamps)
      throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    StringBuilder text = new StringBuilder();
    lines.forEach(l -> text.append(l.render(timestamps)));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void status(OutputStream out, int code, String reason, String message)
      throws IOException {
    String body =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":\""
            + message.replace("\"", "\\\"")
            + "\",\"reason\":\""
            + reason
            + "\",\"code\":"
            + code
            + "}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(
        ("HTTP/1.1 "
                + code
                + " "
                + reason
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** Ends every log stream being served now, as an API server restart would. */
  int breakLogStreams() {
    int broken = 0;
    for (Socket s : following) {
      try {
        s.close();
        broken++;
      } catch (IOException ignored) {
        // closed anyway
      }
    }
    return broken;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
