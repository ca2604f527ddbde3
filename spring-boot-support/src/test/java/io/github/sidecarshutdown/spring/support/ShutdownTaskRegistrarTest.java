package io.github.sidecarshutdown.spring.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** Names the registrar gives annotated methods that set none. */
class ShutdownTaskRegistrarTest {

    @Test
    void defaultTaskNamesAreValidMetricTags() throws Exception {
        Method m = ShutdownTaskRegistrarTest.class.getDeclaredMethod("defaultTaskNamesAreValidMetricTags");
        assertThat(ShutdownTaskRegistrar.defaultName("scopedTarget.my$Bean#0", m))
                .isEqualTo("scopedTarget.my-Bean-0.defaultTaskNamesAreValidMetricTags");
        assertThat(ShutdownTaskRegistrar.defaultName("x".repeat(100), m)).hasSizeLessThanOrEqualTo(64)
                .endsWith(".defaultTaskNamesAreValidMetricTags");
    }
}
