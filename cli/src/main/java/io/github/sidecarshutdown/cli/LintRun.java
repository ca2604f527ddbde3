package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one {@code lint} run found: results per app container, skipped documents, unreadable files; its output and exit code. */
final class LintRun {

    final List<Linter.Result> results = new ArrayList<>();
    final List<Skipped> skipped = new ArrayList<>();
    final List<String> unreadable = new ArrayList<>();

    long count(Severity severity) {
        return results.stream().flatMap(r -> r.findings().stream()).filter(f -> f.severity() == severity).count();
    }

    /** {@link Main#INCOMPLETE} when a file was unreadable or nothing was checked, else {@link Main#ERRORS} or {@link Main#CLEAN}. */
    int exitCode() {
        if (!unreadable.isEmpty() || results.isEmpty()) {
            return Main.INCOMPLETE;
        }
        return count(Severity.ERROR) > 0 ? Main.ERRORS : Main.CLEAN;
    }

    void printText(PrintStream out) {
        for (Linter.Result r : results) {
            out.println(r.workload().file() + ": " + r.workload().title() + " (container " + r.container() + ")");
            if (r.findings().isEmpty()) {
                out.println("  ok: no finding");
            }
            for (Finding f : r.findings()) {
                out.println("  " + f.severity() + " " + f.rule().id() + ": " + f.message());
                out.println("    fix: " + f.fix());
            }
            for (String a : r.assumptions()) {
                out.println("  assumed " + a);
            }
            if (r.plan() != null) {
                out.println("  expected timeline (from SIGTERM" + (r.preStop().isZero() ? "" : ", which comes after the "
                        + Linter.fmt(r.preStop()) + " preStop sleep") + "):");
                for (String line : r.plan().render().split("\\R")) {
                    if (!line.strip().startsWith("WARNING:")) {
                        out.println("    " + line.strip());
                    }
                }
            }
            out.println();
        }
        for (Skipped s : skipped) {
            out.println(s.file() + ": " + s.title() + " skipped: " + s.reason());
        }
        if (!skipped.isEmpty()) {
            out.println();
        }
        String tail = (skipped.isEmpty() ? "" : ", " + skipped.size() + " document(s) skipped")
                + (unreadable.isEmpty() ? "" : ", " + unreadable.size() + " unreadable file(s)");
        if (results.isEmpty()) {
            out.println("nothing was checked: " + (unreadable.isEmpty() ? "no input document is a workload" + tail
                    : unreadable.size() + " unreadable file(s)" + (skipped.isEmpty() ? "" : ", " + skipped.size()
                            + " document(s) skipped")));
        } else {
            out.println(results.size() + " workload container(s) checked: " + count(Severity.ERROR) + " error(s), "
                    + count(Severity.WARNING) + " warning(s)" + tail);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> ws = new ArrayList<>();
        for (Linter.Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", r.workload().file());
            m.put("kind", r.workload().kind());
            m.put("name", r.workload().name());
            m.put("container", r.container());
            m.put("findings", r.findings().stream().map(Finding::toMap).toList());
            m.put("assumptions", r.assumptions());
            m.put("preStopMs", r.preStop().toMillis());
            if (r.plan() != null) {
                m.put("plan", r.plan().toMap());
            }
            ws.add(m);
        }
        root.put("workloads", ws);
        root.put("skipped", skipped.stream().map(Skipped::toMap).toList());
        root.put("unreadable", unreadable);
        root.put("checked", results.size());
        root.put("errors", count(Severity.ERROR));
        root.put("warnings", count(Severity.WARNING));
        root.put("exitCode", exitCode());
        return root;
    }
}
