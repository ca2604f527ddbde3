package io.github.sidecarshutdown.envoy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads {@code GET /clusters} in its text form, keeping only the four traffic counters of each host
 * ({@code rq_active}, {@code rq_total}, {@code cx_active}, {@code cx_total}) of the clusters a
 * predicate picks.
 *
 * <p>The format (envoy {@code source/server/admin/clusters_handler.cc}): one
 * {@code <cluster>::<host>::<stat>::<value>} line per host stat, beside cluster-level lines
 * ({@code <cluster>::default_priority::max_connections::1024}, {@code <cluster>::added_via_api::true})
 * that never carry those four names in that place. A cluster name may hold single colons
 * ({@code kuma:envoy:admin}) and an IPv6 host holds {@code ::} inside its brackets
 * ({@code [::1]:8080}), so a line is read from its end. A kept counter that is not a non-negative
 * integer makes the whole answer unreadable ({@link IllegalArgumentException}): a half-read answer
 * could hide a request in flight.
 */
final class ClustersText {

    private static final String SEP = "::";

    private final Predicate<String> clusters;
    /** One kept host: its cluster, its address and {rq_active, rq_total, cx_active, cx_total}. */
    private record Host(String cluster, String address, long[] values) {
    }

    /** {@code cluster::host} to the host, in order of appearance. */
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    ClustersText(Predicate<String> clusters) {
        this.clusters = clusters;
    }

    /** Every kept host of {@code body}. */
    static List<ClusterHostStats> parse(String body, Predicate<String> clusters) {
        ClustersText t = new ClustersText(clusters);
        int from = 0;
        while (from < body.length()) {
            int end = body.indexOf('\n', from);
            if (end < 0) {
                end = body.length();
            }
            t.line(body.substring(from, end));
            from = end + 1;
        }
        return t.hosts();
    }

    /** Reads one line (without its line break). */
    void line(String line) {
        int valueAt = line.lastIndexOf(SEP);
        if (valueAt <= 0) {
            return;
        }
        int statAt = line.lastIndexOf(SEP, valueAt - 1);
        if (statAt <= 0) {
            return;
        }
        int index = statIndex(line, statAt + SEP.length(), valueAt);
        if (index < 0) {
            return;
        }
        String clusterAndHost = line.substring(0, statAt);
        int hostAt = hostStart(clusterAndHost);
        if (hostAt <= 0) {
            return;
        }
        String cluster = clusterAndHost.substring(0, hostAt - SEP.length());
        if (!clusters.test(cluster)) {
            return;
        }
        long value = parseCount(line.substring(valueAt + SEP.length()), line);
        // No lambda: the first kept host is often first seen by the release's own call, where a lambda's
        // bootstrap would be paid between the app's last cleanup call and the Pod's end.
        Host h = hosts.get(clusterAndHost);
        if (h == null) {
            h = new Host(cluster, clusterAndHost.substring(hostAt), new long[4]);
            hosts.put(clusterAndHost, h);
        }
        h.values()[index] = value;
    }

    /** The kept hosts so far. */
    List<ClusterHostStats> hosts() {
        List<ClusterHostStats> out = new ArrayList<>(hosts.size());
        for (Host h : hosts.values()) {
            long[] v = h.values();
            out.add(new ClusterHostStats(h.cluster(), h.address(), v[0], v[1], v[2], v[3]));
        }
        return out;
    }

    private static int statIndex(String line, int from, int to) {
        switch (line.substring(from, to)) {
            case "rq_active": return 0;
            case "rq_total": return 1;
            case "cx_active": return 2;
            case "cx_total": return 3;
            default: return -1;
        }
    }

    /** Where the host starts in {@code <cluster>::<host>}: after the {@code ::} before a bracketed IPv6 host, else after the last one. */
    private static int hostStart(String clusterAndHost) {
        if (endsWithBracketedPort(clusterAndHost)) {
            int open = clusterAndHost.lastIndexOf("::[");
            return open < 0 ? -1 : open + SEP.length();
        }
        int at = clusterAndHost.lastIndexOf(SEP);
        return at < 0 ? -1 : at + SEP.length();
    }

    /** Ends with {@code ]:<digits>} (no regular expression: this runs for every kept line). */
    private static boolean endsWithBracketedPort(String s) {
        int i = s.length() - 1;
        while (i >= 0 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i--;
        }
        return i < s.length() - 1 && i >= 1 && s.charAt(i) == ':' && s.charAt(i - 1) == ']';
    }

    private static long parseCount(String text, String line) {
        try {
            long v = Long.parseLong(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a count: " + (line.length() > 200 ? line.substring(0, 200) + "..." : line));
    }
}
