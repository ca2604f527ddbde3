package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Envoy's admin API (Istio port 15000, Consul 19000, Kuma 9901), as envoy {@code source/server/admin/admin.cc} and its handlers
 * answer. Only the
 * endpoints that matter for termination are answered; other known mutating endpoints accept a POST and
 * do nothing; everything else is a 404 with the help table, as Envoy does.
 */
final class AdminServer implements HttpHandler {

    static final String TEXT = "text/plain; charset=UTF-8";
    static final String JSON = "application/json";

    /**
     * Stands for the git commit in Envoy's build version ({@code source/common/version/version.cc}:
     * {@code <sha>/<version>/<Clean|Modified>/<RELEASE|DEBUG>/<ssl>}); 40 hex digits like a real one, so
     * that clients parsing the field see the real shape.
     */
    static final String ENVOY_BUILD_SHA = "5e7a3c1f0b9d8e6a4c2f1d3b5a7c9e0f2b4d6a8c";

    /** Envoy's admin endpoints (path, help text, mutates state). */
    private static final List<Object[]> ENDPOINTS = List.of(
            new Object[] {"/clusters", "upstream cluster status", false},
            new Object[] {"/drain_listeners", "drain listeners", true},
            new Object[] {"/healthcheck/fail", "cause the server to fail health checks", true},
            new Object[] {"/healthcheck/ok", "cause the server to pass health checks", true},
            new Object[] {"/help", "print out list of admin commands", false},
            new Object[] {"/listeners", "print listener info", false},
            new Object[] {"/logging", "query/change logging levels", true},
            new Object[] {"/quitquitquit", "exit the server", true},
            new Object[] {"/ready", "print server state, return 200 if LIVE, otherwise return 503", false},
            new Object[] {"/reset_counters", "reset all counters to zero", true},
            new Object[] {"/runtime_modify", "Adds or modifies runtime values as passed in query parameters.", true},
            new Object[] {"/server_info", "print server version/status information", false},
            new Object[] {"/stats", "print server stats", false});

    private static final Set<String> MUTATING = Set.of("/drain_listeners", "/healthcheck/fail", "/healthcheck/ok",
            "/logging", "/quitquitquit", "/reset_counters", "/runtime_modify");

    private final EnvoyProcess envoy;
    private final EmulatorSettings settings;
    private final ScheduledExecutorService scheduler;
    private final IntSupplier agentPort;

    AdminServer(EnvoyProcess envoy, EmulatorSettings settings, ScheduledExecutorService scheduler,
            IntSupplier agentPort) {
        this.envoy = envoy;
        this.settings = settings;
        this.scheduler = scheduler;
        this.agentPort = agentPort;
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        HttpResponse response = withAdminHeaders(route(request));
        if (request.path().equals("/quitquitquit") && "POST".equals(request.method())) {
            // server_cmd_handler.cc: Envoy answers, then exits at once; its exit closes this connection in
            // order (FIN after the answer), so the client reads the answer. No timer: real Envoy has none.
            response.closeAfterSend().afterSend(() -> {
                connection.close();
                envoy.quit();
            });
        }
        return response;
    }

    private HttpResponse route(HttpRequest request) {
        String path = request.path();
        Map<String, String> params = QueryParams.parse(request.rawQuery());
        if (MUTATING.contains(path) && !"POST".equals(request.method())) {
            // admin.cc makeRequest: 405 and no side effect; the body has no trailing newline
            return HttpResponse.of(405, TEXT, "Method " + request.method() + " not allowed, POST required.");
        }
        switch (path) {
            case "/ready":
                ServerState state = envoy.state();
                return HttpResponse.of(state == ServerState.LIVE ? 200 : 503, TEXT, state.name() + "\n");
            case "/server_info":
                return HttpResponse.of(200, JSON, serverInfo());
            case "/clusters":
                return new ClustersPage(settings, envoy, agentPort.getAsInt()).render(params);
            case "/stats":
                return stats(params);
            case "/listeners":
                return listeners(params);
            case "/help":
                return HttpResponse.of(200, TEXT, help());
            case "/drain_listeners":
                return drainListeners(params);
            case "/healthcheck/fail":
                envoy.failHealthcheck();
                return ok();
            case "/healthcheck/ok":
                envoy.okHealthcheck();
                return ok();
            case "/quitquitquit":
                return ok(); // the exit follows the answer (handle)
            case "/logging":
            case "/reset_counters":
            case "/runtime_modify":
                return ok();
            default:
                return HttpResponse.of(404, TEXT, "invalid path. admin commands are:\n" + help());
        }
    }

    private static HttpResponse ok() {
        return HttpResponse.of(200, TEXT, "OK\n");
    }

    /**
     * {@code POST /drain_listeners} as envoy {@code source/server/admin/listeners_handler.cc}
     * {@code handlerDrainListeners}: flags count by presence ({@code graceful=false} is still graceful),
     * unknown parameters are ignored, so {@code ?foo} alone is a plain non-graceful drain of every
     * listener. {@code skip_exit} without {@code graceful} is a 400 from Envoy 1.28, which introduced the
     * flag; older Envoy does not know it and ignores it.
     */
    private HttpResponse drainListeners(Map<String, String> params) {
        boolean inboundOnly = params.containsKey("inboundonly");
        boolean graceful = params.containsKey("graceful");
        boolean skipExit = params.containsKey("skip_exit") && settings.envoy().knowsSkipExit();
        if (skipExit && !graceful) {
            return HttpResponse.of(400, TEXT, "skip_exit requires graceful\n");
        }
        envoy.drainListeners(inboundOnly, graceful, skipExit);
        return ok();
    }

    private HttpResponse stats(Map<String, String> params) {
        Pattern filter = null;
        String regex = params.get("filter");
        if (regex != null && !regex.isEmpty()) {
            try {
                filter = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return HttpResponse.of(400, TEXT, "Invalid re2 regex");
            }
        }
        String format = params.getOrDefault("format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            return HttpResponse.of(400, TEXT, "usage: /stats?format=(text|json)\n");
        }
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : envoy.stats(params.containsKey("usedonly")).entrySet()) {
            if (filter == null || filter.matcher(e.getKey()).find()) { // partial match, like RE2 PartialMatch
                rows.add(e);
            }
        }
        if (format.equals("json")) {
            StringBuilder sb = new StringBuilder("{\"stats\":[");
            for (int i = 0; i < rows.size(); i++) {
                sb.append(i == 0 ? "" : ",").append("{\"name\":");
                Json.string(sb, rows.get(i).getKey());
                sb.append(",\"value\":").append(rows.get(i).getValue()).append('}');
            }
            return HttpResponse.of(200, JSON, sb.append("]}").toString());
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : rows) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return HttpResponse.of(200, TEXT, sb.toString());
    }

    private HttpResponse listeners(Map<String, String> params) {
        if ("json".equals(params.get("format"))) {
            List<Object> statuses = new ArrayList<>();
            for (String[] row : envoy.listenerTable()) {
                Map<String, Object> socket = new LinkedHashMap<>();
                socket.put("address", row[1]);
                socket.put("port_value", Integer.parseInt(row[2]));
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("name", row[0]);
                status.put("local_address", Map.of("socket_address", socket));
                statuses.add(status);
            }
            return HttpResponse.of(200, JSON, Json.pretty(Map.of("listener_statuses", statuses)));
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : envoy.listenerTable()) {
            sb.append(row[0]).append("::").append(row[1]).append(':').append(row[2]).append('\n');
        }
        return HttpResponse.of(200, TEXT, sb.toString());
    }

    /**
     * server_info_handler.cc: ServerInfo proto as pretty JSON, snake_case fields; Istio's PROXY_CONFIG
     * camelCase. The other meshes' Envoys carry their own node ({@link EnvoyNodes}).
     */
    private String serverInfo() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("base_id", "0");
        options.put("concurrency", 2);
        options.put("config_path", "/etc/istio/proxy/envoy-rev.json");
        options.put("config_yaml", "");
        options.put("allow_unknown_static_fields", true);
        options.put("local_address_ip_version", "v4");
        options.put("log_level", "warning");
        options.put("mode", "Serve");
        options.put("disable_hot_restart", true);
        options.put("file_flush_interval", "1s");
        options.put("drain_time", protoDuration(settings.drainDuration()));
        options.put("drain_strategy", "Immediate");
        options.put("parent_shutdown_time", "900s");
        options.put("restart_epoch", 0);
        if (!settings.mode().hasSidecar()) {
            EnvoyNodes.options(settings, options, settings.drainDuration());
            return serverInfo(options, EnvoyNodes.node(settings, envoy.adminPort(), agentPort.getAsInt()));
        }

        Map<String, Object> proxyConfig = new LinkedHashMap<>();
        proxyConfig.put("configPath", "./etc/istio/proxy");
        proxyConfig.put("binaryPath", "/usr/local/bin/envoy");
        proxyConfig.put("serviceCluster", "istio-proxy");
        proxyConfig.put("drainDuration", protoDuration(settings.drainDuration()));
        proxyConfig.put("terminationDrainDuration", protoDuration(settings.terminationDrainDuration()));
        proxyConfig.put("discoveryAddress", "istiod.istio-system.svc:15012");
        // The ports really bound, so that a client that finds pilot-agent through PROXY_CONFIG (the
        // Pod may have moved it with status.sidecar.istio.io/port) finds the emulated one.
        proxyConfig.put("proxyAdminPort", envoy.adminPort());
        proxyConfig.put("controlPlaneAuthPolicy", "MUTUAL_TLS");
        proxyConfig.put("statNameLength", 189);
        if (settings.statusServerEnabled()) {
            // statusPort 0 (status server disabled) is a proto3 default, which Istio's JSON omits
            proxyConfig.put("statusPort", agentPort.getAsInt());
        }
        if (settings.mode() == EmulatorMode.NATIVE) {
            proxyConfig.put("holdApplicationUntilProxyStarts", true);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (settings.exitOnZeroActiveConnections()) {
            Map<String, Object> proxyMetadata = new LinkedHashMap<>();
            proxyMetadata.put("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "true");
            proxyMetadata.put("MINIMUM_DRAIN_DURATION", goDuration(settings.minimumDrainDuration()));
            proxyConfig.put("proxyMetadata", proxyMetadata);
            metadata.put("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "true");
            metadata.put("MINIMUM_DRAIN_DURATION", goDuration(settings.minimumDrainDuration()));
        }
        metadata.put("ENVOY_PROMETHEUS_PORT", 15090);
        metadata.put("ENVOY_STATUS_PORT", envoy.healthPort());
        metadata.put("ISTIO_VERSION", settings.istioVersion());
        metadata.put("NAME", "app-7d9c-abcde");
        metadata.put("NAMESPACE", "default");
        metadata.put("PROXY_CONFIG", proxyConfig);

        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", "sidecar~127.0.0.1~app-7d9c-abcde.default~default.svc.cluster.local");
        node.put("cluster", "app.default");
        node.put("metadata", metadata);
        return serverInfo(options, node);
    }

    private String serverInfo(Map<String, Object> options, Map<String, Object> node) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", ENVOY_BUILD_SHA + "/" + settings.envoyVersion() + "/Clean/RELEASE/BoringSSL");
        info.put("state", envoy.state().name());
        info.put("hot_restart_version", "disabled");
        info.put("command_line_options", options);
        String uptime = envoy.uptimeSeconds() + "s";
        info.put("uptime_current_epoch", uptime);
        info.put("uptime_all_epochs", uptime);
        info.put("node", node);
        return Json.pretty(info);
    }

    private static String help() {
        StringBuilder sb = new StringBuilder();
        for (Object[] e : ENDPOINTS) {
            sb.append("  ").append(e[0]).append(": ").append(e[1]).append('\n');
        }
        return sb.toString();
    }

    /** Envoy's fallback headers on every admin response ({@code utils.cc populateFallbackResponseHeaders}). */
    private static HttpResponse withAdminHeaders(HttpResponse response) {
        HttpHeaders h = response.headers();
        if (!h.contains("content-type")) {
            h.add("content-type", TEXT);
        }
        h.add("cache-control", "no-cache, max-age=0");
        h.add("x-content-type-options", "nosniff");
        h.add("date", HttpCodec.httpDate());
        h.add("server", "envoy");
        return response;
    }

    /** protobuf JSON form of a Duration: {@code "5s"}, {@code "0.500s"}. */
    static String protoDuration(Duration d) {
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (nanos == 0) {
            return seconds + "s";
        }
        String frac = nanos % 1_000_000 == 0 ? String.format("%03d", nanos / 1_000_000)
                : nanos % 1_000 == 0 ? String.format("%06d", nanos / 1_000) : String.format("%09d", nanos);
        return seconds + "." + frac + "s";
    }

    /** Go's time.Duration string as env vars are written ({@code 5s}, {@code 500ms}). */
    static String goDuration(Duration d) {
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}
