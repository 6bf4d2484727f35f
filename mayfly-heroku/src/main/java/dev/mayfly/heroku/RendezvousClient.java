package dev.mayfly.heroku;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads an attached dyno's output over Heroku's Rendezvous protocol: TLS to the attach URL's host
 * and port (hostname checked), the secret and CRLF, one {@code rendezvous} line to discard, then
 * the process's output until the socket closes. Heroku sends no exit status, so the command is
 * wrapped to print one in the form Heroku's CLI uses ({@link #withExitStatus}).
 */
final class RendezvousClient {
  static final String EXIT_MARKER = "\uFFFF heroku-command-exit-status: ";
  private static final Pattern EXIT =
      Pattern.compile("^\uFFFF heroku-command-exit-status: (\\d+)\\s*$");

  private final SSLSocketFactory tls;

  RendezvousClient(@Nullable Path trustedCertPem) throws IOException {
    this.tls =
        trustedCertPem == null
            ? (SSLSocketFactory) SSLSocketFactory.getDefault()
            : trusting(trustedCertPem);
  }

  /** The command, followed by an echo of its exit status that {@link #attach} picks out. */
  static String withExitStatus(String command) {
    // the space before ';' keeps Procfile process-type substitution working (heroku/cli#3804)
    return command + " ; echo \"" + EXIT_MARKER + "$?\"";
  }

  /** Streams output lines to {@code lines} until the dyno ends; returns its exit status if seen. */
  @Nullable Integer attach(URI attachUrl, Consumer<String> lines) throws IOException {
    String secret =
        attachUrl.getRawPath().substring(1)
            + (attachUrl.getRawQuery() == null ? "" : "?" + attachUrl.getRawQuery());
    try (SSLSocket s = (SSLSocket) tls.createSocket()) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.connect(new InetSocketAddress(attachUrl.getHost(), attachUrl.getPort()), 120_000);
      OutputStream out = s.getOutputStream();
      out.write((secret + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      in.readLine(); // "rendezvous": the peer has joined
      // A runner reads no input: end its stdin (0x04, as Heroku's CLI does when its own ends).
      out.write(0x04);
      out.flush();
      Integer status = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Matcher m = EXIT.matcher(line);
        if (m.matches()) {
          status = Integer.valueOf(m.group(1));
        } else {
          lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
      }
      return status;
    }
  }

  private static SSLSocketFactory trusting(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("trusted-" + i++, c);
      }
      if (i == 0) {
        throw new IOException(pem + " holds no PEM certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot trust the certificate in "
              + pem
              + " (MAYFLY_HEROKU_TRUSTED_CERT): "
              + e.getMessage(),
          e);
    }
  }
}
