package io.github.sidecarshutdown;

import io.github.sidecarshutdown.istio.IstioMesh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting, from the environment and from the builder, with malformed, negative, zero, huge
 * and empty values: either the value is accepted and the coordinator builds, or the error is an
 * {@link InvalidSettingException} naming the setting as the user wrote it. Never another exception
 * type (a raw {@code NumberFormatException} or OkHttp's {@code IllegalArgumentException} would reach
 * the user as a bare stack trace). Complements ShutdownCoordinatorBuilderTest and SettingParserTest,
 * which pin the exact messages of the common cases.
 */
class SettingsFaultMatrixTest {

    /** Settings for which 0 means "off" or "none" and is therefore accepted. */
    private static final Set<SettingKey> ZERO_ALLOWED = Set.of(Setting.SAFETY_MARGIN, Setting.PROPAGATION_DELAY,
            Setting.QUIET_PERIOD, Setting.DRAIN_TIMEOUT, Setting.MINIMUM_TASK_WINDOW, IstioMesh.TERMINATION_DRAIN_DURATION,
            Setting.STARTUP_WAIT);

    enum Shape { MALFORMED, NEGATIVE, ZERO, HUGE, EMPTY, SUB_MILLISECOND }

    /** Text forms with a part finer than a millisecond, which OkHttp would round (0 = no timeout at all). */
    private static final List<String> SUB_MILLISECOND = List.of("0.5ms", "1500us", "PT0.0005S", "1.0005s",
            "0.0000001ms", "1s1ns");

    private static List<String> values(Setting.Kind kind, Shape shape) {
        return switch (kind) {
            case DURATION -> switch (shape) {
                case MALFORMED -> List.of("5x", "1m30", "PT", "P", "5s5", "1e3s", "\u0663s", "5\u0000s", "NaNs", "Infinitys",
                        "0x10s", "ms", "1..5s", ".5s", "5.s", "5 s", "5sec", "five seconds", "PT5", "P1Y", "--5s", "+5s");
                case NEGATIVE -> List.of("-1s", "-PT1S", "PT-1S", "-0.5ms", "PT-0.001S", "P-1D");
                case ZERO -> List.of("0s", "0ms", "PT0S", "0.0s", "0h0m0s");
                case HUGE -> List.of("25h", "86400001ms", "99999999999999999999h", "PT9999999999999H", "P999999999D",
                        "PT2562047788015215H", "1000000000000000000000000000ms", "9".repeat(400) + "s", "86400000h86400000h");
                case EMPTY -> List.of("", " ", "\t\n");
                case SUB_MILLISECOND -> SUB_MILLISECOND;
            };
            case BOOLEAN -> switch (shape) {
                case MALFORMED -> List.of("maybe", "yes please", "t", "\u0000", "true;false", "ｔｒｕｅ");
                case NEGATIVE -> List.of("-1", "-true");
                case ZERO -> List.of("0");
                case HUGE -> List.of("true".repeat(10_000));
                case EMPTY -> List.of("", " ");
                case SUB_MILLISECOND -> List.of();
            };
            case ENUM -> switch (shape) {
                case MALFORMED -> List.of("bogus", "istio;rm -rf /", "istio\u0000", "ISTIO_", "auto,istio");
                case NEGATIVE -> List.of("-1", "-istio");
                case ZERO -> List.of("0");
                case HUGE -> List.of("a".repeat(100_000));
                case EMPTY -> List.of("", "  ");
                case SUB_MILLISECOND -> List.of();
            };
            case URL -> switch (shape) {
                case MALFORMED -> List.of("not a url", "http://", "http://:15000", "http://[::1", "javascript:alert(1)",
                        "file:///etc/passwd", "http://127.0.0.1:15000/%zz", "//127.0.0.1:15000", "http:127.0.0.1",
                        "http://admin:s3cr3t@127.0.0.1:15000", "http://under_score:15000", "http://127.0.0.1:15000\u0000");
                case NEGATIVE -> List.of("http://127.0.0.1:-1", "http://127.0.0.1:-15000");
                case ZERO -> List.of("http://127.0.0.1:0", "http://0.0.0.0:15000", "0");
                case HUGE -> List.of("http://127.0.0.1:99999", "http://127.0.0.1:4294967297", "http://127.0.0.1:15000/" + "a".repeat(100_000),
                        "http://" + "a".repeat(300) + ":15000");
                case EMPTY -> List.of("", "   ");
                case SUB_MILLISECOND -> List.of();
            };
            case PATH -> switch (shape) {
                case MALFORMED -> List.of("\u0000", "/etc/pod\u0000info/annotations");
                case NEGATIVE -> List.of("-1");
                case ZERO -> List.of("0");
                case HUGE -> List.of("/" + "a".repeat(100_000));
                case EMPTY -> List.of("", "  ");
                case SUB_MILLISECOND -> List.of();
            };
        };
    }

    static Stream<Arguments> environmentCases() {
        List<Arguments> out = new ArrayList<>();
        for (SettingKey s : ShutdownCoordinatorBuilderTest.allSettings().toList()) {
            for (Shape shape : Shape.values()) {
                for (String v : values(s.kind(), shape)) {
                    out.add(Arguments.of(s, shape, v));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} [{index}]")
    @MethodSource("environmentCases")
    void everySettingFromTheEnvironmentIsAcceptedOrRefusedNamingItsVariable(SettingKey s, Shape shape, String raw) {
        // when
        Throwable t = catchThrowable(() -> builder().fromEnvironment(Map.of(s.envName(), raw)).build());

        // then
        if (t == null) {
            assertThat(acceptable(s, shape, raw)).as("%s=%s was accepted", s.envName(), printable(raw)).isTrue();
            return;
        }
        assertThat(t).as("%s=%s", s.envName(), printable(raw)).isExactlyInstanceOf(InvalidSettingException.class);
        InvalidSettingException e = (InvalidSettingException) t;
        assertThat(e.setting()).isEqualTo(s);
        assertThat(e.source()).isEqualTo(s.envName());
        assertThat(e.getMessage()).startsWith("Invalid " + s.envName() + "=").doesNotContain("s3cr3t");
        assertThat(e.getMessage().length()).as("a readable message").isLessThan(raw.length() + 600);
        if (shape == Shape.SUB_MILLISECOND) {
            assertThat(e.value()).isEqualTo(raw);
            assertThat(e.getMessage()).startsWith("Invalid " + s.envName() + "='" + raw + "': ")
                    .contains("use whole milliseconds, e.g. ");
        }
    }

    /** The values that may pass: zero where 0 means off, a blank cleanup budget ("the rest"), and trimmed booleans. */
    private static boolean acceptable(SettingKey s, Shape shape, String raw) {
        if (!raw.equals(raw.trim()) && !raw.isBlank() && raw.trim().equals(raw.replace("\u0000", ""))) {
            return true; // String.trim() drops control characters at the ends, like spaces: "istio\0" is istio
        }
        return switch (s.kind()) {
            case DURATION -> (shape == Shape.ZERO && ZERO_ALLOWED.contains(s))
                    || (shape == Shape.EMPTY && s == Setting.CLEANUP_BUDGET);
            case URL -> shape == Shape.HUGE && raw.startsWith("http://127.0.0.1:15000/"); // a long base path is still a URL
            // any non-blank path without NUL names a file (which need not exist: the library then uses its defaults)
            case PATH -> !raw.isBlank() && raw.indexOf('\u0000') < 0;
            default -> false;
        };
    }

    static Stream<Arguments> builderCases() {
        List<Arguments> out = new ArrayList<>();
        for (SettingKey s : ShutdownCoordinatorBuilderTest.allSettings().toList()) {
            if (s.kind() != Setting.Kind.DURATION) {
                continue;
            }
            out.add(Arguments.of(s, Shape.NEGATIVE, Duration.ofNanos(-1)));
            out.add(Arguments.of(s, Shape.NEGATIVE, Duration.ofSeconds(Long.MIN_VALUE)));
            out.add(Arguments.of(s, Shape.ZERO, Duration.ZERO));
            out.add(Arguments.of(s, Shape.HUGE, Duration.ofDays(1).plusNanos(1)));
            out.add(Arguments.of(s, Shape.HUGE, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)));
            out.add(Arguments.of(s, Shape.EMPTY, null));
            out.add(Arguments.of(s, Shape.SUB_MILLISECOND, Duration.ofNanos(500_000)));
            out.add(Arguments.of(s, Shape.SUB_MILLISECOND, Duration.ofMillis(1).plusNanos(1)));
            out.add(Arguments.of(s, Shape.SUB_MILLISECOND, Duration.ofSeconds(5).plusNanos(999_999)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("builderCases")
    void everyDurationThroughTheBuilderIsAcceptedOrRefusedNamingTheMethod(SettingKey s, Shape shape, Duration value) throws Exception {
        Method setter = ShutdownCoordinatorBuilder.class.getMethod(s.builderMethod(), Duration.class);
        ShutdownCoordinatorBuilder b = builder();

        // when
        Throwable t = catchThrowable(() -> {
            try {
                setter.invoke(b, value);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            b.build();
        });

        // then
        if (value == null) {
            assertThat(t).isExactlyInstanceOf(NullPointerException.class).hasMessage(s.builderMethod());
        } else if (shape == Shape.ZERO && ZERO_ALLOWED.contains(s)) {
            assertThat(t).as("0 turns %s off", s.builderMethod()).isNull();
        } else {
            assertThat(t).isExactlyInstanceOf(InvalidSettingException.class)
                    .hasMessageStartingWith("Invalid " + s.builderMethod() + "=");
            assertThat(((InvalidSettingException) t).setting()).isEqualTo(s);
            if (shape == Shape.SUB_MILLISECOND) {
                assertThat(t).hasMessageContaining("use whole milliseconds, e.g. ");
            }
        }
    }

    @Test
    void urlsThroughTheBuilderAreRefusedNamingTheMethodNeverWithAnOkHttpError() {
        for (String url : List.of("http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:65536",
                "http://admin:s3cr3t@127.0.0.1:15000", "ftp://127.0.0.1:15000", "http://10.0.0.1:15000")) {
            for (SettingKey s : List.<SettingKey>of(IstioMesh.ADMIN_URL, IstioMesh.AGENT_URL)) {
                Throwable t = catchThrowable(() -> {
                    ShutdownCoordinatorBuilder b = builder();
                    if (s == IstioMesh.ADMIN_URL) {
                        b.adminUrl(URI.create(url));
                    } else {
                        b.agentUrl(URI.create(url));
                    }
                    b.build();
                });
                assertThat(t).as("%s(%s)", s.builderMethod(), url).isExactlyInstanceOf(InvalidSettingException.class)
                        .hasMessageStartingWith("Invalid " + s.builderMethod() + "=").hasMessageNotContaining("s3cr3t");
            }
        }
    }

    @Test
    void theAdminClientBuilderNamesTheUrlWhosePortIsOutOfRange() {
        for (String url : List.of("http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:99999")) {
            assertThat(catchThrowable(() -> io.github.sidecarshutdown.envoy.EnvoyAdminClient.builder().adminUrl(URI.create(url)).build()))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("adminUrl: " + url);
            assertThat(catchThrowable(() -> io.github.sidecarshutdown.envoy.EnvoyAdminClient.builder().agentUrl(URI.create(url)).build()))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("agentUrl: " + url);
        }
    }

    @Test
    void theLargestAcceptedValuesStillBuildAndPlan() {
        // every duration at its one-day maximum: nothing overflows when they are added up
        ShutdownCoordinatorBuilder b = RefusedSidecarUrls.everywhere(builder()).gracePeriod(Duration.ofDays(1)).safetyMargin(Duration.ofHours(23))
                .propagationDelay(Duration.ofDays(1)).quietPeriod(Duration.ofDays(1)).drainTimeout(Duration.ofDays(1))
                .cleanupBudget(Duration.ofDays(1)).taskTimeout(Duration.ofDays(1)).minimumTaskWindow(Duration.ofDays(1))
                .adminTimeout(Duration.ofDays(1)).terminationDrainDuration(Duration.ofDays(1)).startupWait(Duration.ofDays(1))
                .task("t", ctx -> { });

        ShutdownCoordinator c = b.build();

        assertThat(c.settings().budget()).isEqualTo(Duration.ofHours(1));
        assertThat(c.plan().render()).isNotBlank();
    }

    @Test
    void generatedGarbageForEverySettingNeverEscapesAsAnotherExceptionType() {
        long seed = Long.getLong("fuzz.seed", 0x5EED_2026L);
        System.out.println("SettingsFaultMatrixTest fuzz seed=" + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        String alphabet = "0123456789.-+:/@[]%PTDHMSmshdtrueflasyonoistionvnaeuhp \t\u0000\u00e9\u0663";
        List<String> escaped = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            List<SettingKey> all = ShutdownCoordinatorBuilderTest.allSettings().toList();
            SettingKey s = all.get(r.nextInt(all.size()));
            StringBuilder sb = new StringBuilder();
            if (s.kind() == Setting.Kind.URL && r.nextBoolean()) {
                sb.append("http://127.0.0.1:");
            }
            int n = r.nextInt(12);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String raw = sb.toString();
            try {
                builder().fromEnvironment(Map.of(s.envName(), raw)).build();
            } catch (InvalidSettingException e) {
                refused++;
                if (!e.source().equals(s.envName())) {
                    escaped.add(s.envName() + "=" + printable(raw) + " named " + e.source());
                }
            } catch (Throwable t) {
                escaped.add(s.envName() + "=" + printable(raw) + ": " + t);
            }
        }
        assertThat(escaped).as("seed %d", seed).isEmpty();
        assertThat(refused).isGreaterThan(1_000);
    }

    private static ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks());
    }

    private static String printable(String raw) {
        String s = raw.length() > 60 ? raw.substring(0, 60) + "...(" + raw.length() + " chars)" : raw;
        return "'" + s.replace("\u0000", "\\0").replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
