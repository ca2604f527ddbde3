package io.github.sidecarshutdown.testkit.emulator;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.jspecify.annotations.Nullable;

/**
 * JUnit 5 extension that starts a {@link SidecarEmulator} and closes it afterwards, and resolves
 * {@code SidecarEmulator} parameters.
 *
 * <pre>{@code
 * @RegisterExtension
 * static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
 *         SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5).terminationDrainDuration(Duration.ofMillis(500)));
 *
 * @Test
 * void cleanupReachesDownstream(SidecarEmulator emulator) { ... emulator.terminate(); ... }
 * }</pre>
 *
 * <p>{@link #of} gives every test a fresh emulator (static or instance field), because an emulator
 * that was terminated stays terminated. {@link #perClass} shares one emulator across the tests of a
 * class and must be registered on a static field.
 */
public final class SidecarEmulatorExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private final SidecarEmulatorBuilder builder;
    private final boolean perClass;
    private volatile @Nullable SidecarEmulator emulator;

    private SidecarEmulatorExtension(SidecarEmulatorBuilder builder, boolean perClass) {
        this.builder = Objects.requireNonNull(builder, "builder");
        this.perClass = perClass;
    }

    /** A fresh emulator, built from {@code builder}, for each test. */
    public static SidecarEmulatorExtension of(SidecarEmulatorBuilder builder) {
        return new SidecarEmulatorExtension(builder, false);
    }

    /** One emulator for all tests of the class; register it on a static field. */
    public static SidecarEmulatorExtension perClass(SidecarEmulatorBuilder builder) {
        return new SidecarEmulatorExtension(builder, true);
    }

    /** The current emulator. */
    public SidecarEmulator emulator() {
        SidecarEmulator e = emulator;
        if (e == null) {
            throw new IllegalStateException("no emulator: outside a test or already closed");
        }
        return e;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (perClass) {
            emulator = builder.build().start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass) {
            closeEmulator();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perClass) {
            if (emulator == null) {
                throw new ExtensionConfigurationException(
                        "SidecarEmulatorExtension.perClass(...) must be registered on a static field");
            }
            return;
        }
        emulator = builder.build().start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            closeEmulator();
        }
    }

    private void closeEmulator() {
        SidecarEmulator e = emulator;
        emulator = null;
        if (e != null) {
            e.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SidecarEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return emulator();
    }
}
