package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun;
import io.github.sidecarshutdown.testkit.pod.ContainerTermination;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws Pod terminations as an SVG: one block per Pod, one lane per container, with when each
 * shutdown phase ran (read from the library's report line), when each cleanup call went out
 * (green: delivered, red: failed) and when each container exited. Everything comes from a real
 * run's timeline.
 */
public final class TimelineSvg {

    /** A coloured span of a lane, in ms since the deletion. */
    public record Bar(long fromMs, long toMs, String label, String color) {
    }

    /** A short mark on a lane: a cleanup call ({@code ok}) or an exit. */
    public record Tick(long atMs, boolean ok, String label) {
    }

    /** One container's lane. */
    public record Lane(String name, List<Bar> bars, List<Tick> ticks, long exitMs) {
    }

    /** One Pod: its title and lanes. */
    public record Pod(String title, List<Lane> lanes, long endMs) {
    }

    private static final String[] PHASE_COLORS = {"#9ecae1", "#c6dbef", "#fdd0a2", "#a1d99b", "#74c476", "#d9d9d9", "#bcbddc",
        "#e0e0e0"};
    private static final Pattern PHASE = Pattern.compile("(\\w+)=(\\w+) ([0-9.]+)(us|ms|s|m)\\b");
    private static final int LEFT = 110;
    private static final int WIDTH = 1000;
    private static final int LANE = 24;

    private TimelineSvg() {
    }

    /**
     * Parses the phases of a report line ({@code ... phases: readiness_off=succeeded 3ms, ...; tasks: ...})
     * into consecutive bars ending at {@code endMs}, when the line was printed: the sequence ends with it.
     */
    public static List<Bar> phases(String reportLine, long endMs) {
        List<String> names = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        int from = reportLine.indexOf("phases: ");
        if (from < 0) {
            return List.of();
        }
        int to = reportLine.indexOf("; tasks:", from);
        Matcher m = PHASE.matcher(reportLine.substring(from + "phases: ".length(), to < 0 ? reportLine.length() : to));
        long total = 0;
        while (m.find()) {
            double v = Double.parseDouble(m.group(3));
            long ms = Math.round(switch (m.group(4)) {
                case "us" -> v / 1000;
                case "s" -> v * 1000;
                case "m" -> v * 60_000;
                default -> v;
            });
            names.add(m.group(1));
            lengths.add(ms);
            total += ms;
        }
        List<Bar> bars = new ArrayList<>();
        long at = endMs - total;
        for (int i = 0; i < names.size(); i++) {
            bars.add(new Bar(at, at + lengths.get(i), names.get(i), PHASE_COLORS[i % PHASE_COLORS.length]));
            at += lengths.get(i);
        }
        return bars;
    }

    /** The drawing model of one measured Pod termination. */
    public static Pod pod(String title, TerminationRun.Result r) {
        PodTermination t = r.termination();
        List<Lane> lanes = new ArrayList<>();
        t.sidecar().ifPresent(s -> {
            long sigterm = s.sigtermAt() == null ? s.exitedAtMs() : s.sigtermAt().toMillis();
            List<Bar> bars = new ArrayList<>();
            bars.add(new Bar(0, sigterm, "running", "#c7e9c0"));
            if (sigterm < s.exitedAtMs()) {
                bars.add(new Bar(sigterm, s.exitedAtMs(), "SIGTERM: inbound drained, outbound forwarded", "#fee391"));
            }
            lanes.add(new Lane(s.name(), bars, List.of(), s.exitedAtMs()));
        });
        ContainerTermination app = t.app();
        List<Bar> bars = new ArrayList<>();
        long reported = -1;
        for (OutputLine l : app.lines()) {
            if (!r.report().isEmpty() && l.text().contains(r.report())) {
                reported = t.sinceDeletion(l.time()).toMillis();
                break;
            }
        }
        if (reported >= 0) {
            bars.addAll(phases(r.report(), reported));
        } else {
            long sigterm = app.sigtermAt() == null ? 0 : app.sigtermAt().toMillis();
            bars.add(new Bar(sigterm, app.exitedAtMs(), "shutdown hook (no phases)", "#d9d9d9"));
        }
        List<Tick> ticks = new ArrayList<>();
        for (OutputLine l : app.lines()) {
            if (l.text().startsWith("APP_EVENT cleanup-call")) {
                ticks.add(new Tick(t.sinceDeletion(l.time()).toMillis(), l.text().endsWith(" ok"), l.text().substring(10)));
            }
        }
        lanes.add(new Lane(app.name(), bars, ticks, app.exitedAtMs()));
        return new Pod(title, lanes, t.podEndMs());
    }

    /** Renders the Pods on one time axis. */
    public static String render(String heading, List<Pod> pods) {
        long maxMs = 1000;
        for (Pod p : pods) {
            maxMs = Math.max(maxMs, p.endMs());
        }
        double scale = (WIDTH - LEFT - 20) / (double) (maxMs + 500);
        int height = 60 + pods.stream().mapToInt(p -> 30 + p.lanes().size() * (LANE + 6) + 10).sum() + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n", WIDTH, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(10, 20, heading, "font-size=\"14\" font-weight=\"bold\""));
        int y = 40;
        long step = maxMs > 20_000 ? 2000 : 1000;
        for (Pod p : pods) {
            sb.append(text(10, y + 14, p.title() + "  (Pod ended at " + seconds(p.endMs()) + ")", "font-weight=\"bold\""));
            y += 22;
            int top = y;
            for (Lane lane : p.lanes()) {
                sb.append(text(10, y + 16, lane.name(), ""));
                for (Bar b : lane.bars()) {
                    double x = LEFT + b.fromMs() * scale;
                    double w = Math.max(1, (b.toMs() - b.fromMs()) * scale);
                    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                            + "stroke=\"#888\" stroke-width=\"0.5\"><title>%s %s-%s</title></rect>\n", x, y, w, LANE,
                            b.color(), escape(b.label()), seconds(b.fromMs()), seconds(b.toMs())));
                    if (w > 6.5 * b.label().length()) {
                        sb.append(text(x + 3, y + 15, b.label(), "font-size=\"10\""));
                    }
                }
                for (Tick tick : lane.ticks()) {
                    double x = LEFT + tick.atMs() * scale;
                    sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                            + "stroke-width=\"2\"><title>%s at %s</title></line>\n", x, y - 2, x, y + LANE + 2,
                            tick.ok() ? "#238b45" : "#cb181d", escape(tick.label()), seconds(tick.atMs())));
                }
                double ex = LEFT + lane.exitMs() * scale;
                sb.append(String.format(Locale.ROOT, "<path d=\"M%.1f %d l5 6 l-5 6 l-5 -6 z\" fill=\"black\"/>\n", ex, y + 6));
                sb.append(text(ex + 7, y + 16, "exit " + seconds(lane.exitMs()), "font-size=\"10\""));
                y += LANE + 6;
            }
            double end = LEFT + p.endMs() * scale;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" "
                    + "stroke-dasharray=\"3,3\"/>\n", end, top - 4, end, y));
            y += 10;
        }
        for (long ms = 0; ms <= maxMs + 500; ms += step) {
            double x = LEFT + ms * scale;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"36\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x, x, y));
            sb.append(text(x - 6, y + 14, (ms / 1000) + " s", "font-size=\"10\""));
        }
        sb.append(text(LEFT, y + 28, "green: cleanup call delivered; red: failed; diamond: container exit; dashed: Pod end; "
                + "time since the Pod's deletion", "font-size=\"10\""));
        return sb.append("</svg>\n").toString();
    }

    private static String text(double x, int y, String s, String attrs) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" %s>%s</text>\n", x, y, attrs, escape(s));
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
