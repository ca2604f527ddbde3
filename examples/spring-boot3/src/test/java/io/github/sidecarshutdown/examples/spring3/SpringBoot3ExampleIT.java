package io.github.sidecarshutdown.examples.spring3;

import io.github.sidecarshutdown.examples.spring.SpringBootExampleApp;
import io.github.sidecarshutdown.examples.springits.SpringExampleSigtermTests;

/** The shared SIGTERM integration test, run against the example app compiled here against Boot 3.5. */
class SpringBoot3ExampleIT extends SpringExampleSigtermTests {

    @Override
    protected Class<?> appClass() {
        return SpringBootExampleApp.class;
    }
}
