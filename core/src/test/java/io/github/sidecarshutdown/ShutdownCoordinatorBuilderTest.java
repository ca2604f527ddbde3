package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.consul.ConsulMesh;
import io.github.sidecarshutdown.dapr.DaprMesh;
import io.github.sidecarshutdown.istio.EnvoySidecar;
import io.github.sidecarshutdown.istio.IstioMesh;
import io.github.sidecarshutdown.kuma.KumaMesh;
import io.github.sidecarshutdown.linkerd.LinkerdMesh;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShutdownCoordinatorBuilderTest {

    private static final String ACCEPTED = "a duration such as 500ms, 5s, 2m, 1m30s or PT5S (0 where a setting can be off)";

    /** One valid, non-default environment value per setting, and what it must become. */
    private static final Map<SettingKey, Object[]> ENV_VALUES = new LinkedHashMap<>();

    static {
        ENV_VALUES.put(Setting.ENABLED, new Object[] {"false", false});
        ENV_VALUES.put(Setting.GRACE_PERIOD, new Object[] {"45s", Duration.ofSeconds(45)});
        ENV_VALUES.put(Setting.SAFETY_MARGIN, new Object[] {"3s", Duration.ofSeconds(3)});
        ENV_VALUES.put(Setting.PROPAGATION_DELAY, new Object[] {"7s", Duration.ofSeconds(7)});
        ENV_VALUES.put(Setting.QUIET_PERIOD, new Object[] {"1500ms", Duration.ofMillis(1500)});
        ENV_VALUES.put(Setting.DRAIN_TIMEOUT, new Object[] {"PT20S", Duration.ofSeconds(20)});
        ENV_VALUES.put(Setting.CLEANUP_BUDGET, new Object[] {"8s", Optional.of(Duration.ofSeconds(8))});
        ENV_VALUES.put(Setting.TASK_TIMEOUT, new Object[] {"1m30s", Duration.ofSeconds(90)});
        ENV_VALUES.put(Setting.MINIMUM_TASK_WINDOW, new Object[] {"400ms", Duration.ofMillis(400)});
        ENV_VALUES.put(Setting.SIDECAR_MODE, new Object[] {"native", SidecarMode.NATIVE});
        ENV_VALUES.put(IstioMesh.ADMIN_URL, new Object[] {"http://127.0.0.1:25000", URI.create("http://127.0.0.1:25000")});
        ENV_VALUES.put(IstioMesh.AGENT_URL, new Object[] {"http://localhost:25020", URI.create("http://localhost:25020")});
        ENV_VALUES.put(Setting.ALLOW_NON_LOOPBACK, new Object[] {"true", true});
        ENV_VALUES.put(Setting.ADMIN_TIMEOUT, new Object[] {"300ms", Duration.ofMillis(300)});
        ENV_VALUES.put(Setting.RELEASE_SIDECAR, new Object[] {"off", false});
        ENV_VALUES.put(IstioMesh.TERMINATION_DRAIN_DURATION, new Object[] {"9s", Duration.ofSeconds(9)});
        ENV_VALUES.put(Setting.STARTUP_WAIT, new Object[] {"2m", Duration.ofMinutes(2)});
        ENV_VALUES.put(Setting.STARTUP_POLICY, new Object[] {"REQUIRED", StartupPolicy.REQUIRED});
        ENV_VALUES.put(Setting.ANNOTATIONS_FILE, new Object[] {"/var/run/podinfo/annotations",
                java.nio.file.Path.of("/var/run/podinfo/annotations")});
        ENV_VALUES.put(LinkerdMesh.ADMIN_URL, new Object[] {"http://127.0.0.1:24191", URI.create("http://127.0.0.1:24191")});
        ENV_VALUES.put(DaprMesh.URL, new Object[] {"http://localhost:23500", URI.create("http://localhost:23500")});
        ENV_VALUES.put(ConsulMesh.ADMIN_URL, new Object[] {"http://localhost:29000", URI.create("http://localhost:29000")});
        ENV_VALUES.put(ConsulMesh.LIFECYCLE_URL, new Object[] {"http://127.0.0.1:20601", URI.create("http://127.0.0.1:20601")});
        ENV_VALUES.put(KumaMesh.ADMIN_URL, new Object[] {"http://[::1]:9902", URI.create("http://[::1]:9902")});
        ENV_VALUES.put(Setting.WORKLOAD, new Object[] {"Job", Workload.JOB});
        ENV_VALUES.put(Setting.LABELS_FILE, new Object[] {"/var/run/podinfo/labels", java.nio.file.Path.of("/var/run/podinfo/labels")});
    }

    /** A builder that never sees the real environment. */
    private static ShutdownCoordinatorBuilder builder(Map<String, String> env) {
        return ShutdownCoordinator.builder().fromEnvironment(env);
    }

    private static ShutdownCoordinatorBuilder builder() {
        return builder(Map.of());
    }

    /** Every setting: the library's own and every registered mesh's. */
    static Stream<SettingKey> allSettings() {
        List<SettingKey> all = new ArrayList<>(List.of(Setting.values()));
        all.addAll(Meshes.settings());
        return all.stream();
    }

    static Stream<SettingKey> istioUrls() {
        return Stream.of(IstioMesh.ADMIN_URL, IstioMesh.AGENT_URL);
    }

    /** Each mesh setting's default, as the settings hold it. */
    private static Map<MeshSetting, Object> meshDefaults() {
        Map<MeshSetting, Object> m = new LinkedHashMap<>();
        for (MeshSetting ms : Meshes.settings()) {
            m.put(ms, ms.kind() == Setting.Kind.URL ? URI.create(ms.defaultValue())
                    : io.github.sidecarshutdown.config.SettingParser.duration(ms, "test", ms.defaultValue()));
        }
        return m;
    }

    /** The accessor named like the setting's builder method: every setting has one; a mesh setting by its key. */
    private static Object component(ShutdownSettings settings, SettingKey key) throws Exception {
        if (key instanceof MeshSetting m) {
            return m.kind() == Setting.Kind.URL ? settings.url(m) : settings.duration(m);
        }
        Setting s = (Setting) key;
        java.lang.reflect.Method accessor;
        try {
            accessor = ShutdownSettings.class.getMethod(s.builderMethod());
        } catch (NoSuchMethodException e) {
            throw new AssertionError("ShutdownSettings has no accessor " + s.builderMethod() + "()", e);
        }
        return accessor.invoke(settings);
    }

    // ---- Armeria triad: defaults, custom values, invalid values ----

    @Test
    void defaults() {
        // when
        ShutdownSettings settings = builder().settings();

        // then
        assertThat(settings).isEqualTo(new ShutdownSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10), Optional.empty(), Duration.ofSeconds(5),
                Duration.ofMillis(250), SidecarMode.AUTO, false, Duration.ofSeconds(1), true,
                Duration.ofSeconds(60), StartupPolicy.OPTIONAL, java.nio.file.Path.of("/etc/podinfo/annotations"), Workload.AUTO,
                java.nio.file.Path.of("/etc/podinfo/labels"), meshDefaults(), Set.of()));
        assertThat(settings.url(IstioMesh.ADMIN_URL)).isEqualTo(URI.create("http://127.0.0.1:15000"));
        assertThat(settings.url(IstioMesh.AGENT_URL)).isEqualTo(URI.create("http://127.0.0.1:15020"));
        assertThat(settings.duration(IstioMesh.TERMINATION_DRAIN_DURATION)).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.url(LinkerdMesh.ADMIN_URL)).isEqualTo(URI.create("http://127.0.0.1:4191"));
        assertThat(settings.url(DaprMesh.URL)).isEqualTo(URI.create("http://127.0.0.1:3500"));
        assertThat(settings.url(ConsulMesh.ADMIN_URL)).isEqualTo(URI.create("http://127.0.0.1:19000"));
        assertThat(settings.url(ConsulMesh.LIFECYCLE_URL)).isEqualTo(URI.create("http://127.0.0.1:20600"));
        assertThat(settings.url(KumaMesh.ADMIN_URL)).isEqualTo(URI.create("http://127.0.0.1:9901"));
        assertThat(settings.budget()).isEqualTo(Duration.ofSeconds(28));
    }

    @Test
    void customValues() {
        // when
        ShutdownSettings settings = builder()
                .enabled(false).gracePeriod(Duration.ofSeconds(60)).safetyMargin(Duration.ofSeconds(5))
                .propagationDelay(Duration.ofSeconds(3)).quietPeriod(Duration.ofSeconds(1))
                .drainTimeout(Duration.ofSeconds(15)).cleanupBudget(Duration.ofSeconds(20))
                .taskTimeout(Duration.ofSeconds(2)).minimumTaskWindow(Duration.ofMillis(100))
                .sidecarMode(SidecarMode.ISTIO).adminUrl(URI.create("http://localhost:16000"))
                .agentUrl(URI.create("http://[::1]:16020")).allowNonLoopback(false)
                .adminTimeout(Duration.ofMillis(500)).releaseSidecar(false)
                .terminationDrainDuration(Duration.ofSeconds(10)).startupWait(Duration.ofSeconds(30))
                .startupPolicy(StartupPolicy.REQUIRED).annotationsFile(java.nio.file.Path.of("/tmp/podinfo/annotations"))
                .linkerdAdminUrl(URI.create("http://localhost:14191")).daprUrl(URI.create("http://127.0.0.2:13500"))
                .consulAdminUrl(URI.create("http://127.0.0.1:19001")).consulLifecycleUrl(URI.create("http://127.0.0.1:20601"))
                .kumaAdminUrl(URI.create("http://127.0.0.1:9911"))
                .workload(Workload.JOB).labelsFile(java.nio.file.Path.of("/tmp/podinfo/labels"))
                .settings();

        // then
        Map<MeshSetting, Object> mesh = meshDefaults();
        mesh.put(IstioMesh.ADMIN_URL, URI.create("http://localhost:16000"));
        mesh.put(IstioMesh.AGENT_URL, URI.create("http://[::1]:16020"));
        mesh.put(IstioMesh.TERMINATION_DRAIN_DURATION, Duration.ofSeconds(10));
        mesh.put(LinkerdMesh.ADMIN_URL, URI.create("http://localhost:14191"));
        mesh.put(DaprMesh.URL, URI.create("http://127.0.0.2:13500"));
        mesh.put(ConsulMesh.ADMIN_URL, URI.create("http://127.0.0.1:19001"));
        mesh.put(ConsulMesh.LIFECYCLE_URL, URI.create("http://127.0.0.1:20601"));
        mesh.put(KumaMesh.ADMIN_URL, URI.create("http://127.0.0.1:9911"));
        assertThat(settings).isEqualTo(new ShutdownSettings(false, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(15), Optional.of(Duration.ofSeconds(20)),
                Duration.ofSeconds(2), Duration.ofMillis(100), SidecarMode.ISTIO, false, Duration.ofMillis(500), false,
                Duration.ofSeconds(30), StartupPolicy.REQUIRED, java.nio.file.Path.of("/tmp/podinfo/annotations"), Workload.JOB,
                java.nio.file.Path.of("/tmp/podinfo/labels"), mesh, mesh.keySet()));
        assertThat(settings.budget()).isEqualTo(Duration.ofSeconds(55));
    }

    @Test
    void invalidValuesThroughSettersNameTheBuilderMethod() {
        // given
        ShutdownCoordinatorBuilder b = builder();

        // when / then
        assertThatThrownBy(() -> b.gracePeriod(Duration.ZERO))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid gracePeriod='PT0S': must be greater than 0");
        assertThatThrownBy(() -> b.safetyMargin(Duration.ofSeconds(-1)))
                .hasMessage("Invalid safetyMargin='PT-1S': must not be negative");
        assertThatThrownBy(() -> b.drainTimeout(Duration.ofHours(25)))
                .hasMessage("Invalid drainTimeout='PT25H': longer than a day; no Pod waits that long to terminate. Expected "
                        + ACCEPTED);
        assertThatThrownBy(() -> b.adminTimeout(Duration.ZERO))
                .hasMessage("Invalid adminTimeout='PT0S': must be greater than 0");
        assertThatThrownBy(() -> b.adminUrl(URI.create("ftp://127.0.0.1:15000")))
                .hasMessage("Invalid adminUrl='ftp://127.0.0.1:15000': scheme must be http or https; "
                        + "expected an http URL such as http://127.0.0.1:15000");
        assertThatThrownBy(() -> b.gracePeriod(null))
                .isInstanceOf(NullPointerException.class).hasMessage("gracePeriod");
        assertThatThrownBy(() -> b.sidecarMode(null))
                .isInstanceOf(NullPointerException.class).hasMessage("sidecarMode");
    }

    @Test
    void zeroIsAcceptedWhereASettingCanBeOff() {
        // when
        ShutdownSettings settings = builder().quietPeriod(Duration.ZERO).propagationDelay(Duration.ZERO)
                .safetyMargin(Duration.ZERO).settings();

        // then
        assertThat(settings.quietPeriod()).isZero();
        assertThat(settings.safetyMargin()).isZero();
        assertThat(settings.budget()).isEqualTo(settings.gracePeriod());
    }

    // ---- durations from the environment ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5s|5000", "500ms|500", "PT5S|5000", "pt5s|5000", "1m30s|90000", "1.5s|1500", "2h|7200000", "0s|0"
    })
    void durationsAcceptedFromEnvironment(String raw, long millis) {
        // when
        ShutdownSettings settings = builder(Map.of("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", raw)).settings();

        // then
        assertThat(settings.drainTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "30|missing unit (did you mean 30s?); expected " + ACCEPTED,
        "-5s|must not be negative; expected " + ACCEPTED,
        "abc|not a duration; expected " + ACCEPTED,
        "``|empty; expected " + ACCEPTED,
        "5 s|not a duration; expected " + ACCEPTED,
        "48h|longer than a day; no Pod waits that long to terminate. Expected " + ACCEPTED
    })
    void durationsRefusedFromEnvironmentNameVariableValueAndFix(String raw, String problem) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> builder(Map.of("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", raw)));

        // then
        assertThat(e).hasMessage("Invalid SIDECAR_SHUTDOWN_DRAIN_TIMEOUT='" + raw + "': " + problem);
        assertThat(e.setting()).isEqualTo(Setting.DRAIN_TIMEOUT);
        assertThat(e.source()).isEqualTo("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT");
    }

    @Test
    void zeroGracePeriodFromEnvironmentNamesTheVariable() {
        // when / then
        assertThatThrownBy(() -> builder(Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "0s")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_GRACE_PERIOD=")
                .hasMessageEndingWith(": must be greater than 0");
    }

    // ---- every setting from the environment ----

    @ParameterizedTest
    @MethodSource("allSettings")
    void everySettingIsAppliedFromItsEnvironmentVariable(SettingKey s) throws Exception {
        // given
        assertThat(ENV_VALUES).as("test value for new setting %s", s).containsKey(s);
        String raw = (String) ENV_VALUES.get(s)[0];
        Object expected = ENV_VALUES.get(s)[1];
        Object byDefault = component(builder().settings(), s);

        // when
        ShutdownSettings settings = builder(Map.of(s.envName(), raw)).settings();

        // then
        assertThat(byDefault).as("the test value must differ from the default").isNotEqualTo(expected);
        assertThat(component(settings, s)).isEqualTo(expected);
    }

    @Test
    void allSettingsAppliedTogether() throws Exception {
        // given
        Map<String, String> env = new HashMap<>();
        ENV_VALUES.forEach((s, v) -> env.put(s.envName(), (String) v[0]));

        // when
        ShutdownSettings settings = builder(env).settings();

        // then
        for (SettingKey s : allSettings().toList()) {
            assertThat(component(settings, s)).as(s.envName()).isEqualTo(ENV_VALUES.get(s)[1]);
        }
    }

    @ParameterizedTest
    @MethodSource("allSettings")
    void everySettingRefusesNonsenseNamingItsVariable(SettingKey s) {
        // given
        String raw = switch (s.kind()) {
            case BOOLEAN -> "maybe";
            case DURATION -> "abc";
            case ENUM -> "bogus";
            case URL -> "ftp://127.0.0.1:1";
            case PATH -> "   ";
        };

        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> builder(Map.of(s.envName(), raw)));

        // then
        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(s);
        assertThat(e.source()).isEqualTo(s.envName());
        assertThat(e).hasMessageStartingWith("Invalid " + s.envName() + "='" + raw + "': ");
    }

    @Test
    void aMisspelledVariableIsWarnedAboutWithTheSettingItMeantAndTheDefaultStays() {
        // given: what a newcomer typed (the log, slf4j-simple, writes to whatever System.err is when it logs)
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        ShutdownSettings settings;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            // when
            settings = ShutdownCoordinator.builder()
                    .fromEnvironment(Map.of("SIDECAR_SHUTDOWN_GRACEPERIOD", "45s", "SIDECAR_SHUTDOWN_SAFETY_MARGIN", "3s"))
                    .settings();
        } finally {
            System.setErr(original);
        }

        // then: one warning, for the one unknown name, and the settings it did not reach keep their defaults
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("WARN").contains("SIDECAR_SHUTDOWN_GRACEPERIOD names no sidecar-shutdown setting and is ignored; "
                + "did you mean SIDECAR_SHUTDOWN_GRACE_PERIOD?");
        assertThat(log).doesNotContain("SIDECAR_SHUTDOWN_SAFETY_MARGIN names");
        assertThat(settings.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.safetyMargin()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void absentVariablesLeaveBuilderValuesAlone() {
        // given
        ShutdownCoordinatorBuilder b = ShutdownCoordinator.builder().gracePeriod(Duration.ofSeconds(40))
                .sidecarMode(SidecarMode.ENVOY);

        // when
        ShutdownSettings settings = b.fromEnvironment(Map.of("SIDECAR_SHUTDOWN_UNKNOWN", "x", "grace_period", "1s"))
                .settings();

        // then
        assertThat(settings.gracePeriod()).isEqualTo(Duration.ofSeconds(40));
        assertThat(settings.sidecarMode()).isEqualTo(SidecarMode.ENVOY);
    }

    @Test
    void blankCleanupBudgetMeansWhateverIsLeft() {
        // given
        ShutdownCoordinatorBuilder b = ShutdownCoordinator.builder().cleanupBudget(Duration.ofSeconds(5));

        // when
        ShutdownSettings settings = b.fromEnvironment(Map.of("SIDECAR_SHUTDOWN_CLEANUP_BUDGET", " ")).settings();

        // then
        assertThat(settings.cleanupBudget()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"true,true", "yes,true", "ON,true", "false,false", "no,false"})
    void booleansFromEnvironment(String raw, boolean expected) {
        // when
        ShutdownSettings settings = builder(Map.of("SIDECAR_SHUTDOWN_RELEASE_SIDECAR", raw,
                "SIDECAR_SHUTDOWN_ENABLED", raw)).settings();

        // then
        assertThat(settings.releaseSidecar()).isEqualTo(expected);
        assertThat(settings.enabled()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"auto,AUTO,optional,OPTIONAL", "istio,ISTIO,required,REQUIRED", "envoy,ENVOY,Required,REQUIRED",
        "native,NATIVE,OPTIONAL,OPTIONAL", "none,NONE,optional,OPTIONAL", "Istio,ISTIO,required,REQUIRED"})
    void sidecarModesAndStartupPoliciesFromEnvironment(String mode, SidecarMode expectedMode, String policy,
            StartupPolicy expectedPolicy) {
        // when
        ShutdownSettings settings = builder(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", mode,
                "SIDECAR_SHUTDOWN_STARTUP_POLICY", policy)).settings();

        // then
        assertThat(settings.sidecarMode()).isEqualTo(expectedMode);
        assertThat(settings.startupPolicy()).isEqualTo(expectedPolicy);
    }

    @Test
    void settingUsesTheSourceItIsGiven() {
        // when / then
        assertThatThrownBy(() -> builder().setting(Setting.GRACE_PERIOD, "sidecar.shutdown.grace-period", "30"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid sidecar.shutdown.grace-period='30': missing unit (did you mean 30s?); expected " + ACCEPTED);
        assertThat(builder().setting(Setting.GRACE_PERIOD, "sidecar.shutdown.grace-period", "40s").settings().gracePeriod())
                .isEqualTo(Duration.ofSeconds(40));
    }

    // ---- URLs ----

    /**
     * Regression: with only the URL variable set, the message once told the user to set the builder
     * method {@code allowNonLoopback}, not the variable {@code SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK}.
     */
    @ParameterizedTest
    @MethodSource("istioUrls")
    void nonLoopbackUrlFromEnvironmentIsRefusedNamingBothVariables(SettingKey s) {
        // given
        ShutdownCoordinatorBuilder b = builder(Map.of(s.envName(), "http://10.1.2.3:15000"));

        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, b::settings);

        // then
        assertThat(e).hasMessageStartingWith("Invalid " + s.envName() + "='http://10.1.2.3:15000': is not a loopback address")
                .hasMessageContaining("SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK=true");
        assertThat(e.setting()).isEqualTo(s);
    }

    @Test
    void nonLoopbackRefusalNamesTheAllowVariableWhenItIsSetToFalse() {
        // given
        ShutdownCoordinatorBuilder b = builder(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", "http://10.1.2.3:15000",
                "SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK", "false"));

        // when / then
        assertThatThrownBy(b::settings)
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_ADMIN_URL='http://10.1.2.3:15000': is not a loopback address")
                .hasMessageContaining("set SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK=true");
    }

    @Test
    void nonLoopbackUrlsAcceptedWhenAllowed() {
        // when
        ShutdownSettings settings = builder(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", "http://10.1.2.3:15000",
                "SIDECAR_SHUTDOWN_AGENT_URL", "http://envoy.internal:15020",
                "SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK", "true")).settings();

        // then
        assertThat(settings.url(IstioMesh.ADMIN_URL)).isEqualTo(URI.create("http://10.1.2.3:15000"));
        assertThat(settings.url(IstioMesh.AGENT_URL)).isEqualTo(URI.create("http://envoy.internal:15020"));
        assertThat(settings.allowNonLoopback()).isTrue();
    }

    @Test
    void nonLoopbackThroughSetterNamesTheSetters() {
        // given
        ShutdownCoordinatorBuilder b = builder().agentUrl(URI.create("http://10.1.2.3:15020"));

        // when / then
        assertThatThrownBy(b::settings)
                .hasMessageStartingWith("Invalid agentUrl='http://10.1.2.3:15020': is not a loopback address; "
                        + "the sidecar's pilot-agent listens on http://127.0.0.1:15020")
                .hasMessageEndingWith("or set allowNonLoopback=true if you really mean another host");
    }

    @Test
    void urlWithCredentialsIsRefusedWithoutThePassword() {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> builder(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", "http://admin:hunter2@127.0.0.1:15000")));

        // then
        assertThat(e).hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_ADMIN_URL='http://<redacted>@127.0.0.1:15000': must not contain credentials");
        assertThat(e.getMessage()).doesNotContain("hunter2");
        assertThat(e.value()).doesNotContain("hunter2");
    }

    // ---- cross-field rules ----

    @ParameterizedTest
    @ValueSource(strings = {"10s", "11s"})
    void safetyMarginNotShorterThanGracePeriodIsRefused(String margin) {
        // given
        ShutdownCoordinatorBuilder b = builder(Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "10s",
                "SIDECAR_SHUTDOWN_SAFETY_MARGIN", margin));

        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, b::settings);

        // then
        assertThat(e.setting()).isEqualTo(Setting.SAFETY_MARGIN);
        assertThat(e).hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_SAFETY_MARGIN=")
                .hasMessage("Invalid SIDECAR_SHUTDOWN_SAFETY_MARGIN='" + margin + "': must be shorter than "
                        + "SIDECAR_SHUTDOWN_GRACE_PERIOD=10s; lower the margin or raise the grace period to match "
                        + "terminationGracePeriodSeconds");
    }

    @Test
    void aShortGracePeriodIsBlamedAsWrittenBesideTheDefaultMarginNamedInTheSameFrontEnd() {
        // when: a grace period below the default 2 s margin, from a variable, then from a property
        InvalidSettingException env = catchThrowableOfType(InvalidSettingException.class,
                () -> builder(Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "1s")).settings());
        InvalidSettingException property = catchThrowableOfType(InvalidSettingException.class,
                () -> builder().setting(Setting.GRACE_PERIOD, "sidecar.shutdown.grace-period", "1500ms").settings());

        // then: the value as typed, not as java.time prints it, and the margin under a name the user can set
        assertThat(env.setting()).isEqualTo(Setting.GRACE_PERIOD);
        assertThat(env).hasMessage("Invalid SIDECAR_SHUTDOWN_GRACE_PERIOD='1s': must be longer than "
                + "SIDECAR_SHUTDOWN_SAFETY_MARGIN=2s (the default), the time kept free for the JVM to exit; "
                + "match terminationGracePeriodSeconds, or lower the margin");
        assertThat(env.value()).isEqualTo("1s");
        assertThat(property).hasMessageStartingWith("Invalid sidecar.shutdown.grace-period='1500ms': must be longer than "
                + "sidecar.shutdown.safety-margin=2s (the default), ");
        // and through the builder, where the grace period is what was set too
        assertThatThrownBy(() -> builder().gracePeriod(Duration.ofSeconds(1)).settings())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid gracePeriod='PT1S': must be longer than safetyMargin=2s (the default), ");
    }

    @Test
    void aValueReplacedByTheBuilderAfterItsVariableIsShownAsTheBuilderGotIt() {
        // when: the variable said 10s, the code then set the margin to 12 s
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> builder(Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "10s", "SIDECAR_SHUTDOWN_SAFETY_MARGIN", "3s"))
                        .safetyMargin(Duration.ofSeconds(12)).settings());

        // then: not the variable's text, which no longer holds
        assertThat(e).hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_SAFETY_MARGIN='PT12S': must be shorter than "
                + "SIDECAR_SHUTDOWN_GRACE_PERIOD=10s;");
    }

    @Test
    void safetyMarginThroughSettersNamesTheSetters() {
        // when / then
        assertThatThrownBy(() -> builder().gracePeriod(Duration.ofSeconds(10)).safetyMargin(Duration.ofSeconds(10)).settings())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid safetyMargin='PT10S': must be shorter than gracePeriod=PT10S; lower the margin "
                        + "or raise the grace period to match terminationGracePeriodSeconds");
        assertThat(builder().gracePeriod(Duration.ofSeconds(10)).safetyMargin(Duration.ofMillis(9_999)).settings().budget())
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void propagationDelayDefaultsToFiveSecondsInsideKubernetes() {
        // when
        ShutdownSettings settings = builder(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")).settings();

        // then
        assertThat(settings.propagationDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void propagationDelayDefaultsToZeroOutsideKubernetes() {
        // when
        ShutdownSettings settings = builder(Map.of("HOME", "/root")).settings();

        // then
        assertThat(settings.propagationDelay()).isZero();
    }

    @Test
    void explicitPropagationDelayWinsInsideKubernetes() {
        // when
        ShutdownSettings fromEnv = builder(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "1s")).settings();
        ShutdownSettings fromSetter = builder(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"))
                .propagationDelay(Duration.ZERO).settings();

        // then
        assertThat(fromEnv.propagationDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fromSetter.propagationDelay()).isZero();
    }

    // ---- build ----

    @Test
    void buildWiresTheSidecarFromTheSettings() {
        // when
        ShutdownCoordinator none = builder(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "none")).build();
        ShutdownCoordinator istio = builder(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "istio",
                "SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:25000",
                "SIDECAR_SHUTDOWN_ADMIN_TIMEOUT", "300ms")).build();

        // then
        assertThat(none.sidecar()).isSameAs(Sidecar.none());
        assertThat(none.state()).isEqualTo(ShutdownCoordinator.State.NEW);
        assertThat(istio.sidecar()).isInstanceOfSatisfying(EnvoySidecar.class, sc -> {
            assertThat(sc.client().adminUrl()).isEqualTo(URI.create("http://127.0.0.1:25000"));
            assertThat(sc.client().callTimeout()).isEqualTo(Duration.ofMillis(300));
            sc.client().close();
        });
    }
}
