package io.github.sidecarshutdown.examples.spring3;

import io.github.sidecarshutdown.examples.springits.SpringExamplePodTests;

/** The shared Pod-deletion integration test, run against this example's app on this module's classpath. */
class SpringBoot3PodIT extends SpringExamplePodTests {

    @Override
    protected Class<?> appClass() {
        return SpringBoot3ExampleApp.class;
    }
}
