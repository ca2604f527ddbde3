package io.github.sidecarshutdown.examples.spring3;

import io.github.sidecarshutdown.examples.springits.SpringExampleSigtermTests;

/** The shared SIGTERM integration test, run against this example's app on this module's classpath. */
class SpringBoot3ExampleIT extends SpringExampleSigtermTests {

    @Override
    protected Class<?> appClass() {
        return SpringBoot3ExampleApp.class;
    }
}
