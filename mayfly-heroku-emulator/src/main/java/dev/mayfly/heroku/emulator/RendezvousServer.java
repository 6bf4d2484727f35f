package dev.mayfly.heroku.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.jspecify.annotations.Nullable;

/**
 * The attach side of one-off dynos: TLS on loopback, as Heroku's Rendezvous. A client sends the
 * secret from the {@code attach_url} and a line end (CRLF or LF); the server answers {@code
 * rendezvous\r\n} on its own, starts the process, and relays its output until it exits, then
 * closes. The certificate is self-signed for 127.0.0.1, written as PEM for clients to trust.
 */
final class RendezvousServer implements AutoCloseable {
  private static final char[] PASSWORD = "emulator".toCharArray();

  private final SSLServerSocket server;
  private final Path certificate;
  private final Map<String, Consumer<Socket>> pending = new ConcurrentHashMap<>();

  private RendezvousServer(SSLServerSocket server, Path certificate) {
    this.server = server;
    this.certificate = certificate;
  }

  static RendezvousServer start(Path dir) throws IOException {
    try {
      Path keystore = dir.resolve("rendezvous.p12");
      Path cert = dir.resolve("rendezvous.pem");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      run(
          List.of(
              keytool.toString(),
              "-genkeypair",
              "-alias",
              "rendezvous",
              "-keyalg",
              "EC",
              "-groupname",
              "secp256r1",
              "-dname",
              "CN=127.0.0.1",
              "-ext",
              "SAN=ip:127.0.0.1",
              "-validity",
              "30",
              "-keystore",
              keystore.toString(),
              "-storetype",
              "PKCS12",
              "-storepass",
              new String(PASSWORD),
              "-keypass",
              new String(PASSWORD)));
      run(
          List.of(
              keytool.toString(),
              "-exportcert",
              "-rfc",
              "-alias",
              "rendezvous",
              "-keystore",
              keystore.toString(),
              "-storepass",
              new String(PASSWORD),
              "-file",
              cert.toString()));
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, PASSWORD);
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
      SSLServerSocket s =
          (SSLServerSocket)
              tls.getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      RendezvousServer r = new RendezvousServer(s, cert);
      Thread.ofVirtual().name("rendezvous-accept").start(r::acceptLoop);
      return r;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot start the Rendezvous TLS endpoint: " + e, e);
    }
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + out);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** The PEM file clients trust (MAYFLY_HEROKU_TRUSTED_CERT). */
  Path certificate() {
    return certificate;
  }

  /** Registers what happens when the client with {@code secret} arrives. */
  void expect(String secret, Consumer<Socket> onAttach) {
    pending.put(secret, onAttach);
  }

  /** Forgets a secret nobody used; true if it was still waiting. */
  boolean forget(String secret) {
    return pending.remove(secret) != null;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> handshake(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handshake(Socket s) {
    try {
      s.setSoTimeout(15_000); // unidentified connections are dropped
      String secret = readLine(s.getInputStream());
      Consumer<Socket> onAttach = secret == null ? null : pending.remove(secret);
      if (onAttach == null) {
        s.close();
        return;
      }
      s.setSoTimeout(0);
      OutputStream out = s.getOutputStream();
      out.write("rendezvous\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush(); // its own write, before any process output
      onAttach.accept(s);
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // gone
      }
    }
  }

  private static @Nullable String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (line.size() > 1024) {
        return null;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
