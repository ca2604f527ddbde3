package io.github.sidecarshutdown.envoy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.sidecarshutdown.internal.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile and generated input for the parsers of sidecar answers other than {@code /server_info}
 * (fuzzed in {@link ServerInfoTest}): {@code /stats} text, {@code /stats?format=json} and the JSON
 * reader itself. Each may refuse input only with its typed error (none for the text form, which
 * skips what it cannot read; {@link IllegalArgumentException} for stats JSON, {@link Json.JsonException}
 * for JSON), quickly, and through the client only as {@link EnvoyAdminException}.
 */
class AdminParsersFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_2026L);

    private static final String STATS_TEXT = "cluster.xds-grpc.version_text: \"abc123\"\n"
            + "server.live: 1\nserver.state: 0\nserver.uptime: 12345\n"
            + "listener.0.0.0.0_15006.downstream_cx_active: 3\n"
            + "server.initialization_time_ms: P0(nan,1.0) P25(nan,1.025) P50(nan,1.05)\n";
    private static final String STATS_JSON = "{\"stats\":[{\"name\":\"server.state\",\"value\":0},"
            + "{\"name\":\"server.uptime\",\"value\":12345678901},{\"name\":\"server.version_text\",\"value\":\"1.34.2\"},"
            + "{\"histograms\":{\"supported_quantiles\":[0,25,50],\"computed_quantiles\":[{\"name\":\"h\",\"values\":[{\"interval\":null}]}]}}]}";

    @RegisterExtension
    static WireMockExtension envoy = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static List<String> mutations(String fixture, Random random, int count, String alphabet) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder(fixture);
            int edits = 1 + random.nextInt(10);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int at = random.nextInt(sb.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(4)) {
                    case 0 -> sb.setCharAt(at, c);
                    case 1 -> sb.insert(at, c);
                    case 2 -> sb.deleteCharAt(at);
                    default -> sb.setLength(at); // truncated
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Runs {@code parse} on every input; anything thrown but {@code allowed} is collected. */
    private static List<String> escapes(List<String> inputs, Class<? extends Throwable> allowed, Consumer<String> parse) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i);
            try {
                parse.accept(input);
            } catch (Throwable t) {
                if (allowed == null || !allowed.isInstance(t)) {
                    failures.add("input #" + i + " (" + input.length() + " chars, starts "
                            + input.substring(0, Math.min(40, input.length())).replace("\n", "\\n") + "): " + t);
                }
            }
        }
        return failures;
    }

    @Test
    @Timeout(30)
    void statsTextSkipsWhatItCannotReadAndNeverThrows() {
        System.out.println("AdminParsersFuzzTest seed=" + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
        Random random = new Random(SEED);
        List<String> inputs = mutations(STATS_TEXT, random, 2_000, ":\" \n\r\t\u0000é\uD800abc019.-");
        inputs.add("");
        inputs.add(":");
        inputs.add(": : :");
        inputs.add("   : value-without-name");
        inputs.add("name: \"");
        inputs.add("\"");
        inputs.add("a: " + "x".repeat(1_000_000));
        inputs.add("a: 1\n".repeat(200_000));
        inputs.add("\r\n".repeat(100_000));
        inputs.add("\uD800: \uDFFF");
        List<Integer> counts = new ArrayList<>();

        List<String> failures = escapes(inputs, null, body -> {
            List<EnvoyStat> stats = EnvoyAdminClient.parseStatsText(body);
            stats.forEach(s -> {
                assertThat(s.name()).isNotNull();
                assertThat(s.value()).isNotNull();
                s.longValue(); // never throws either
            });
            counts.add(stats.size());
        });

        assertThat(failures).as("seed %d", SEED).isEmpty();
        assertThat(EnvoyAdminClient.parseStatsText(STATS_TEXT)).hasSize(6);
        assertThat(counts).contains(0, 200_000);
    }

    @Test
    @Timeout(30)
    void statsJsonRefusesHostileInputOnlyWithIllegalArgumentAndQuickly() {
        Random random = new Random(SEED + 1);
        List<String> inputs = mutations(STATS_JSON, random, 2_000, "{}[]\":,0123456789eE+-.nultrfas \\u\u0000");
        inputs.add("{\"stats\":[{\"name\":\"a\",\"value\":1e999999999}]}"); // a billion zeros if printed plainly
        inputs.add("{\"stats\":[{\"name\":\"a\",\"value\":1e-999999999}]}");
        inputs.add("{\"stats\":[{\"name\":\"a\",\"value\":-0.0e+0}]}");
        inputs.add("{\"stats\":[{\"name\":\"a\",\"value\":{\"nested\":[1,2,{}]}}]}");
        inputs.add("{\"stats\":[{\"name\":7,\"value\":1},{\"name\":null,\"value\":null},null,1,\"x\",[]]}");
        inputs.add("{\"stats\":{}}");
        inputs.add("{\"stats\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        inputs.add("{\"stats\":[" + "{\"name\":\"a\",\"value\":1},".repeat(50_000) + "{}]}");
        inputs.add("[]");
        inputs.add("null");
        inputs.add("");

        long start = System.nanoTime();
        List<String> failures = escapes(inputs, IllegalArgumentException.class, body -> {
            List<EnvoyStat> stats = EnvoyAdminClient.parseStatsJson(body);
            stats.forEach(s -> assertThat(s.value().length()).as("value of %s", s.name()).isLessThan(1_000));
        });

        assertThat(failures).as("seed %d", SEED + 1).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(EnvoyAdminClient.parseStatsJson(STATS_JSON)).extracting(EnvoyStat::name)
                .containsExactly("server.state", "server.uptime", "server.version_text");
        assertThat(EnvoyAdminClient.parseStatsJson("{\"stats\":[{\"name\":\"a\",\"value\":1e999999999},"
                + "{\"name\":\"b\",\"value\":18446744073709551615},{\"name\":\"c\",\"value\":0.25}]}"))
                .extracting(EnvoyStat::value).containsExactly("1E+999999999", "18446744073709551615", "0.25");
    }

    @Test
    @Timeout(30)
    void theJsonReaderFailsOnlyWithJsonException() {
        Random random = new Random(SEED + 2);
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"a\"", "\"", "\\", "\\u", "\\uD800", "\\uzzzz", "1", "-", "-0", "1e",
            "1e999999999", "1E-99999999999", ".5", "0x1F", "true", "tru", "null", "nul", "false", " ", "\n", "\u0000", "\u001f",
            "\uFEFF", "é", "\uD83D\uDE00", "\uDFFF"};
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(20);
            for (int k = 0; k < n; k++) {
                sb.append(tokens[random.nextInt(tokens.length)]);
            }
            inputs.add(sb.toString());
        }
        inputs.addAll(mutations(STATS_JSON, random, 1_000, "{}[]\":,0123456789eE+-.\\u"));
        inputs.add("\"" + "\\u00e9".repeat(200_000) + "\"");
        inputs.add("{" + "\"k\":1,".repeat(100_000) + "\"k\":2}");
        int parsed = 0;

        List<String> failures = escapes(inputs, Json.JsonException.class, Json::parse);
        for (String input : inputs) {
            try {
                Json.parse(input);
                parsed++;
            } catch (Json.JsonException expected) {
                assertThat(expected.getMessage()).startsWith("malformed JSON at offset ");
            }
        }

        assertThat(failures).as("seed %d", SEED + 2).isEmpty();
        assertThat(parsed).as("some generated inputs are JSON").isPositive();
    }

    @Test
    void hostileStatsAnswersReachTheCallerOnlyAsEnvoyAdminException() {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(envoy.baseUrl()))
                .agentUrl(URI.create(envoy.baseUrl())).callTimeout(Duration.ofSeconds(5)).build();
        try {
            for (String body : List.of("{\"stats\":[{\"name\":\"a\",\"value\":1e999999999}]}", "{\"stats\":", "<html>500</html>",
                    "{\"stats\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", "\u0000\u0001\u0002")) {
                envoy.resetAll();
                envoy.stubFor(get(urlPathEqualTo("/stats")).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/plain").withBody(body)));

                Throwable json = catchThrowable(() -> client.statsJson(StatsQuery.all()));
                Throwable text = catchThrowable(() -> client.stats(StatsQuery.all()));

                assertThat(json == null || json instanceof EnvoyAdminException).as("statsJson of %s: %s", body.substring(0, Math.min(10, body.length())), json).isTrue();
                if (json != null) {
                    assertThat(((EnvoyAdminException) json).kind()).isEqualTo(EnvoyAdminException.Kind.MALFORMED_RESPONSE);
                }
                assertThat(text).as("the text form skips what it cannot read").isNull();
            }
        } finally {
            client.close();
        }
    }
}
