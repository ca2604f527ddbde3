package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Shared stand-ins for the sidecar truth tests: warmed-up WireMock sidecars, refused ports, journal views. */
final class TruthFixtures {

    static final String ISTIO_SERVER_INFO = SidecarFaultsTest.ISTIO_SERVER_INFO;

    private TruthFixtures() {
    }

    /**
     * Ports of {@link #freePort()} not yet bound by the test that asked, each held by a socket bound
     * to it that does not listen and does not allow address reuse: connections to the port are
     * refused, as to a closed one, and no other socket can bind it, in this JVM or in the other test
     * fork, until {@link #release(int)}. A port merely found free could be bound by the other fork (a
     * fake of its own) in the time a late sidecar takes to come up, and answer for it.
     */
    private static final Map<Integer, Socket> RESERVED = new ConcurrentHashMap<>();
    /** The ports {@link #refusedUrl()} hands out in turn, reserved for the whole run. */
    private static final int[] REFUSED = new int[16];
    private static final AtomicInteger NEXT_REFUSED = new AtomicInteger();

    static {
        for (int i = 0; i < REFUSED.length; i++) {
            REFUSED[i] = freePort();
        }
    }

    /** A loopback port nothing listens on, reserved until the server meant for it binds it ({@link #release(int)}). */
    static int freePort() {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException(e);
        }
        RESERVED.put(s.getLocalPort(), s);
        return s.getLocalPort();
    }

    /** Gives up the reservation of {@code port}, if {@link #freePort()} made one, for a server about to bind it. */
    static void release(int port) {
        Socket s = RESERVED.remove(port);
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing held any more
        }
    }

    /** A loopback URL whose port refuses connections for the whole run (one of a few, in turn). */
    static String refusedUrl() {
        return "http://127.0.0.1:" + REFUSED[Math.floorMod(NEXT_REFUSED.getAndIncrement(), REFUSED.length)];
    }

    /** A started WireMock on loopback (on {@code port}, or a free one when 0), warmed up outside any measured time. */
    static WireMockServer wiremock(int port) {
        release(port);
        WireMockServer w = new WireMockServer(port == 0 ? wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                : wireMockConfig().port(port).bindAddress("127.0.0.1"));
        w.start();
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + w.port() + "/__admin/health").toURL()
                    .openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            c.getResponseCode();
            c.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        w.resetRequests();
        return w;
    }

    static WireMockServer wiremock() {
        return wiremock(0);
    }

    /** Envoy admin of a live classic Istio sidecar: /server_info with ISTIO_VERSION, /ready LIVE, drain and quit accepted. */
    static void stubLiveIstioAdmin(WireMockServer admin, String serverInfo) {
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        admin.stubFor(get(urlPathEqualTo("/server_info")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(serverInfo)));
        admin.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        admin.stubFor(post(urlPathEqualTo("/quitquitquit")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
    }

    /** pilot-agent's status port, ready. */
    static void stubReadyAgent(WireMockServer agent) {
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(200)));
    }

    /** Every request the server received, as {@code METHOD /path?query}, in arrival order. */
    static List<String> calls(WireMockServer server) {
        // the journal lists the newest first; reverse it so that the stable sort keeps arrival order within one ms
        List<ServeEvent> events = new java.util.ArrayList<>(server.getAllServeEvents());
        java.util.Collections.reverse(events);
        return events.stream()
                .sorted(Comparator.comparing((ServeEvent e) -> e.getRequest().getLoggedDate()))
                .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .filter(c -> !c.contains("/__admin"))
                .collect(Collectors.toList());
    }

    /** Calls whose {@code METHOD /path} (query ignored) equals {@code methodAndPath}. */
    static List<String> callsTo(WireMockServer server, String methodAndPath) {
        return calls(server).stream().filter(c -> c.equals(methodAndPath) || c.startsWith(methodAndPath + "?")).toList();
    }

    /** Epoch millis of the requests whose {@code METHOD /path} equals {@code methodAndPath}. */
    static List<Long> arrivalsOf(WireMockServer server, String methodAndPath) {
        return server.getAllServeEvents().stream()
                .filter(e -> (e.getRequest().getMethod() + " " + e.getRequest().getUrl()).equals(methodAndPath)
                        || (e.getRequest().getMethod() + " " + e.getRequest().getUrl()).startsWith(methodAndPath + "?"))
                .map(e -> e.getRequest().getLoggedDate().getTime())
                .sorted()
                .toList();
    }

    /** The names of the query parameters of {@code call} ({@code POST /x?a&b=1} gives {@code [a, b]}). */
    static Set<String> queryNames(String call) {
        int q = call.indexOf('?');
        if (q < 0) {
            return Set.of();
        }
        return Arrays.stream(call.substring(q + 1).split("&")).filter(p -> !p.isEmpty())
                .map(p -> p.contains("=") ? p.substring(0, p.indexOf('=')) : p)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
