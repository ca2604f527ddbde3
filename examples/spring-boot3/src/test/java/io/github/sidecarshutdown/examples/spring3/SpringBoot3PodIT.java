package io.github.sidecarshutdown.examples.spring3;

import io.github.sidecarshutdown.examples.spring.SpringBootExampleApp;
import io.github.sidecarshutdown.examples.springits.SpringExamplePodTests;

/** The shared Pod-deletion integration test, run against the example app compiled here against Boot 3.5. */
class SpringBoot3PodIT extends SpringExamplePodTests {

    @Override
    protected Class<?> appClass() {
        return SpringBootExampleApp.class;
    }
}
