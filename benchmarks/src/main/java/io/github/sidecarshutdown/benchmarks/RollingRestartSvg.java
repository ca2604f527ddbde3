package io.github.sidecarshutdown.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Draws rolling restarts as an SVG: one panel per variant, failed requests per time bucket as red bars
 * on one scale shared by every panel, old Pods' deletions and new Pods' readiness as marks under the axis,
 * and the rollout's end as a dashed line. Everything comes from a measured run.
 */
final class RollingRestartSvg {

    /**
     * One variant's rollout, ms since its start.
     *
     * @param title     the panel's heading
     * @param failedMs  when each failed request was sent
     * @param deletedMs when each old Pod was deleted
     * @param readyMs   when each new Pod turned Ready
     * @param endMs     when the last old Pod ended
     */
    record Panel(String title, List<Long> failedMs, List<Long> deletedMs, List<Long> readyMs, long endMs) {
    }

    static final long BUCKET_MS = 500;
    private static final int LEFT = 60;
    private static final int WIDTH = 1000;
    private static final int PLOT = 90;
    private static final int PANEL = PLOT + 70;

    private RollingRestartSvg() {
    }

    /** Failed requests per {@link #BUCKET_MS} bucket from 0 to {@code endMs}; failures outside that land in the edge buckets. */
    static int[] buckets(List<Long> failedMs, long endMs) {
        int[] counts = new int[(int) (Math.max(0, endMs) / BUCKET_MS) + 1];
        for (long at : failedMs) {
            int i = (int) Math.max(0, Math.min(counts.length - 1, at / BUCKET_MS));
            counts[i]++;
        }
        return counts;
    }

    /** Renders the panels on one time axis and one failure scale. */
    static String render(String heading, List<Panel> panels) {
        long maxMs = 1000;
        int maxCount = 1;
        for (Panel p : panels) {
            maxMs = Math.max(maxMs, p.endMs());
        }
        for (Panel p : panels) {
            for (int c : buckets(p.failedMs(), maxMs)) {
                maxCount = Math.max(maxCount, c);
            }
        }
        double xScale = (WIDTH - LEFT - 30) / (double) (maxMs + BUCKET_MS);
        int height = 50 + panels.size() * PANEL + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n", WIDTH, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(10, 20, heading, "font-size=\"14\" font-weight=\"bold\""));
        int y = 40;
        long step = maxMs > 40_000 ? 5000 : maxMs > 15_000 ? 2000 : 1000;
        for (Panel p : panels) {
            sb.append(text(10, y + 14, p.title(), "font-weight=\"bold\""));
            int top = y + 22;
            int base = top + PLOT;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
                    LEFT, base, WIDTH - 20, base));
            sb.append(text(10, top + 8, maxCount + " failed", "font-size=\"10\""));
            sb.append(text(10, base, "0", "font-size=\"10\""));
            for (long ms = 0; ms <= maxMs + BUCKET_MS; ms += step) {
                double x = LEFT + ms * xScale;
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n",
                        x, top, x, base));
                sb.append(text(x - 6, base + 30, (ms / 1000) + " s", "font-size=\"10\""));
            }
            int[] counts = buckets(p.failedMs(), maxMs);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    continue;
                }
                double h = PLOT * counts[i] / (double) maxCount;
                sb.append(String.format(Locale.ROOT, "<rect class=\"failed\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"#cb181d\"><title>%d failed, %s-%s</title></rect>\n", LEFT + i * BUCKET_MS * xScale, base - h,
                        Math.max(1, BUCKET_MS * xScale - 1), h, counts[i], seconds(i * BUCKET_MS), seconds((i + 1) * BUCKET_MS)));
            }
            for (long at : p.deletedMs()) {
                double x = LEFT + at * xScale;
                sb.append(String.format(Locale.ROOT, "<path class=\"deleted\" d=\"M%.1f %d l-4 -7 l8 0 z\" fill=\"#333\">"
                        + "<title>old Pod deleted at %s</title></path>\n", x, base + 9, seconds(at)));
            }
            for (long at : p.readyMs()) {
                double x = LEFT + at * xScale;
                sb.append(String.format(Locale.ROOT, "<path class=\"ready\" d=\"M%.1f %d l-4 7 l8 0 z\" fill=\"#238b45\">"
                        + "<title>new Pod Ready at %s</title></path>\n", x, base + 11, seconds(at)));
            }
            double end = LEFT + p.endMs() * xScale;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" "
                    + "stroke-dasharray=\"3,3\"><title>last old Pod ended at %s</title></line>\n", end, top, end, base + 20,
                    seconds(p.endMs())));
            y += PANEL;
        }
        sb.append(text(LEFT, y + 14, "red: failed requests per " + BUCKET_MS + " ms; black triangle: old Pod deleted; green: "
                + "new Pod Ready; dashed: last old Pod ended; time since the first new Pod was created", "font-size=\"10\""));
        return sb.append("</svg>\n").toString();
    }

    private static String text(double x, int y, String s, String attrs) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" %s>%s</text>\n", x, y, attrs, TimelineSvg.escape(s));
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
