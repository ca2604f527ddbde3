package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar sidecar-shutdown-cli.jar lint [--json] FILE...}: checks that a workload's
 * shutdown timings can add up behind its sidecar, and prints the timeline the library would follow.
 * Exit code 0 when no error was found, 1 on errors, 2 when an input could not be read.
 */
public final class Main {

    /** No error found (warnings allowed). */
    public static final int CLEAN = 0;
    /** At least one error finding. */
    public static final int ERRORS = 1;
    /** An input could not be read, or the command line is wrong. */
    public static final int UNREADABLE = 2;

    private static final String USAGE = "usage: sidecar-shutdown-cli lint [--json] FILE...\n"
            + "  Reads Kubernetes YAML (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod; several\n"
            + "  documents per file) and reports shutdown timings that cannot add up, each with its fix.\n"
            + "  Exit code: 0 clean, 1 errors found, 2 unreadable input.";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].equals("lint")) {
            err.println(args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")) ? USAGE : "unknown command\n" + USAGE);
            return UNREADABLE;
        }
        boolean json = false;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--json": json = true; break;
                case "--help": case "-h": out.println(USAGE); return CLEAN;
                default:
                    if (args[i].startsWith("--")) {
                        err.println("unknown option " + args[i] + "\n" + USAGE);
                        return UNREADABLE;
                    }
                    files.add(args[i]);
            }
        }
        if (files.isEmpty()) {
            err.println("no FILE given\n" + USAGE);
            return UNREADABLE;
        }
        List<Linter.Result> results = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (String f : files) {
            try {
                String text = Files.readString(Path.of(f), StandardCharsets.UTF_8);
                for (Workload w : ManifestReader.read(f, text)) {
                    results.addAll(Linter.lint(w));
                }
            } catch (IOException | RuntimeException e) {
                unreadable.add(f + ": cannot read (" + e + ")");
            } catch (ManifestReader.UnreadableException e) {
                unreadable.add(e.getMessage());
            }
        }
        long errors = results.stream().flatMap(r -> r.findings().stream()).filter(x -> x.severity() == Severity.ERROR).count();
        long warnings = results.stream().flatMap(r -> r.findings().stream()).filter(x -> x.severity() == Severity.WARNING).count();
        int code = !unreadable.isEmpty() ? UNREADABLE : errors > 0 ? ERRORS : CLEAN;
        if (json) {
            out.println(JsonWriter.write(toJson(results, unreadable, errors, warnings, code)));
        } else {
            printText(out, err, results, unreadable, errors, warnings);
        }
        return code;
    }

    private static void printText(PrintStream out, PrintStream err, List<Linter.Result> results, List<String> unreadable,
            long errors, long warnings) {
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
        for (String u : unreadable) {
            err.println("UNREADABLE " + u);
        }
        out.println(results.size() + " workload container(s) checked: " + errors + " error(s), " + warnings + " warning(s)"
                + (unreadable.isEmpty() ? "" : ", " + unreadable.size() + " unreadable file(s)"));
    }

    private static Map<String, Object> toJson(List<Linter.Result> results, List<String> unreadable, long errors,
            long warnings, int code) {
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
        root.put("unreadable", unreadable);
        root.put("errors", errors);
        root.put("warnings", warnings);
        root.put("exitCode", code);
        return root;
    }
}
