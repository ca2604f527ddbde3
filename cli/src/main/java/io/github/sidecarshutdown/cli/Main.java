package io.github.sidecarshutdown.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar sidecar-shutdown-cli-<version>-all.jar lint [--json] FILE...}: checks that a
 * workload's shutdown timings can add up behind its sidecar, and prints the timeline the library
 * would follow. Exit code {@link #CLEAN} when no error was found, {@link #ERRORS} on errors,
 * {@link #INCOMPLETE} when the check could not be made (a bad command line, an unreadable input,
 * or no workload in the input). The rules: docs/linter.md.
 */
public final class Main {

    /** Every input was read, at least one workload container was checked, no error was found (warnings allowed). */
    public static final int CLEAN = 0;
    /** At least one error finding (and every input was read). */
    public static final int ERRORS = 1;
    /**
     * The check is incomplete: the command line is wrong, an input could not be read (its errors
     * would be unknown), or no input document is a workload (nothing was checked). Wins over {@link #ERRORS}.
     */
    public static final int INCOMPLETE = 2;

    static final String USAGE = """
            usage: sidecar-shutdown-cli lint [--json] FILE...
                   sidecar-shutdown-cli --help | lint --help | --version

            Checks Kubernetes manifests (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
            Pod; several documents per file, kind: List) for shutdown timings that cannot add up behind
            a sidecar (Istio, Linkerd, Dapr, Consul, Kuma), and prints for each app container every
            finding with its one fix, then the shutdown timeline the library would follow. Documents
            that are not workloads (ConfigMap, Service, a Pod fragment without containers) are listed
            as skipped, with the reason.

              --json       one JSON object on stdout: workloads, skipped, unreadable, counts, exitCode
              -h, --help   this text (also: help, lint --help)
              --version    the linter's version

            Exit code: 0 no error (warnings allowed); 1 at least one error; 2 the check is incomplete:
            a bad command line, a file that cannot be read, or no workload in the input.
            Rules, fixes and assumptions: docs/linter.md""";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("no command given\n" + USAGE);
            return INCOMPLETE;
        }
        switch (args[0]) {
            case "--help", "-h", "help":
                out.println(USAGE);
                return CLEAN;
            case "--version":
                out.println("sidecar-shutdown-cli " + version());
                return CLEAN;
            case "lint":
                return lint(args, out, err);
            default:
                err.println("unknown command " + args[0] + "\n" + USAGE);
                return INCOMPLETE;
        }
    }

    private static int lint(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<String> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--json":
                    json = true;
                    break;
                case "--help", "-h":
                    out.println(USAGE);
                    return CLEAN;
                default:
                    if (args[i].startsWith("-")) {
                        err.println("unknown option " + args[i] + "\n" + USAGE);
                        return INCOMPLETE;
                    }
                    files.add(args[i]);
            }
        }
        if (files.isEmpty()) {
            err.println("no FILE given\n" + USAGE);
            return INCOMPLETE;
        }
        LintRun run = new LintRun();
        for (String f : files) {
            try {
                String text = Files.readString(Path.of(f), StandardCharsets.UTF_8);
                ManifestReader.Manifest manifest = ManifestReader.readAll(f, text);
                for (Workload w : manifest.workloads()) {
                    run.results.addAll(Linter.lint(w));
                }
                run.skipped.addAll(manifest.skipped());
            } catch (IOException e) {
                run.unreadable.add(f + ": cannot read (" + e + ")");
            } catch (RuntimeException e) {
                // a bug of the linter's, not of the file: say so rather than blame the input
                run.unreadable.add(f + ": the linter failed on it (" + e + "); please report it with the manifest");
            } catch (ManifestReader.UnreadableException e) {
                run.unreadable.add(e.getMessage());
            }
        }
        if (json) {
            out.println(JsonWriter.write(run.toJson()));
        } else {
            run.printText(out);
        }
        for (String u : run.unreadable) {
            err.println("UNREADABLE " + u);
        }
        if (run.results.isEmpty() && run.unreadable.isEmpty()) {
            err.println("nothing was checked: no input document is a workload"
                    + (run.skipped.isEmpty() ? " (the input holds no document)" : " (" + run.skipped.size() + " skipped)"));
        }
        return run.exitCode();
    }

    /** The version in the jar's manifest ({@code Implementation-Version}), or a note when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "(unknown: not run from the jar)";
    }
}
