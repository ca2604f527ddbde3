package io.github.sidecarshutdown.examples.spring;

import io.github.sidecarshutdown.examples.springits.SpringExamplePodTests;

/** The shared Pod-deletion integration test, run against this example's app on this module's classpath. */
class SpringBootPodIT extends SpringExamplePodTests {

    @Override
    protected Class<?> appClass() {
        return SpringBootExampleApp.class;
    }
}
