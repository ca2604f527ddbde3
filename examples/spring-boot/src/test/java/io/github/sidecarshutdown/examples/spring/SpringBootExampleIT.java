package io.github.sidecarshutdown.examples.spring;

import io.github.sidecarshutdown.examples.springits.SpringExampleSigtermTests;

/** The shared SIGTERM integration test, run against this example's app on this module's classpath. */
class SpringBootExampleIT extends SpringExampleSigtermTests {

    @Override
    protected Class<?> appClass() {
        return SpringBootExampleApp.class;
    }
}
