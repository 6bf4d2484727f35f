package dev.mayfly.examples.typocheck;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/** The page: the latest commits, newest first, and the misspellings each one brought. */
@RestController
public class CommitsPage {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final Findings findings;

  public CommitsPage(Findings findings) {
    this.findings = findings;
  }

  @GetMapping(value = "/", produces = MediaType.TEXT_HTML_VALUE)
  public String page() {
    List<Findings.Commit> commits = findings.latest(200);
    boolean waiting = commits.stream().anyMatch(c -> c.analyzedAt() == null);
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html lang=en><head><meta charset=utf-8>")
        .append("<title>typo-check</title>")
        .append(waiting ? "<meta http-equiv=refresh content=2>" : "")
        .append("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}")
        .append("table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em")
        .append(" .6em;border-bottom:1px solid #ddd;vertical-align:top}code{font-size:13px}")
        .append(".typo{color:#b00}.ok{color:#080}.wait{color:#888}</style></head><body>")
        .append("<h1>typo-check</h1><p>Commits from GitHub pushes, each spell-checked by a job in")
        .append(" a one-off process. <a href=mayfly/>Jobs and runners</a></p>");
    if (commits.isEmpty()) {
      html.append("<p id=empty>No push received yet: point a GitHub webhook at")
          .append(" <code>/webhooks/github</code>.</p>");
    } else {
      html.append("<table id=commits><thead><tr><th>commit<th>author<th>message<th>findings")
          .append("<th>analysed</tr></thead><tbody>");
      for (Findings.Commit c : commits) {
        html.append("<tr data-sha=").append(esc(c.sha())).append("><td><code>");
        link(html, c.url(), c.sha().substring(0, Math.min(7, c.sha().length())));
        html.append("</code><br>")
            .append(esc(c.repo()))
            .append("<td>")
            .append(esc(c.author()))
            .append("<td>")
            .append(esc(c.message().lines().findFirst().orElse("")))
            .append("<td class=findings>");
        if (c.analyzedAt() == null) {
          html.append("<span class=wait>waiting</span>");
        } else if (c.findings().isEmpty()) {
          html.append("<span class=ok>no misspellings</span>");
        } else {
          html.append("<ul>");
          for (Findings.Finding f : c.findings()) {
            html.append("<li class=typo><code>")
                .append(esc(f.path()))
                .append(':')
                .append(f.line())
                .append("</code> <b>")
                .append(esc(f.word()))
                .append("</b> → ")
                .append(esc(f.suggestion()));
          }
          html.append("</ul>");
        }
        html.append("<td>");
        if (c.analyzedAt() != null) {
          html.append(TIME.format(c.analyzedAt()))
              .append("<br><small>")
              .append(esc(String.valueOf(c.analyzedBy())))
              .append(", ")
              .append(c.linesChecked())
              .append(" lines</small>");
        }
        html.append("</tr>");
      }
      html.append("</tbody></table>");
    }
    return html.append("</body></html>").toString();
  }

  private static void link(StringBuilder html, @Nullable String url, String text) {
    if (url != null && (url.startsWith("https://") || url.startsWith("http://"))) {
      html.append("<a href=\"").append(esc(url)).append("\">").append(esc(text)).append("</a>");
    } else {
      html.append(esc(text));
    }
  }

  private static String esc(String s) {
    return HtmlUtils.htmlEscape(s);
  }
}
